package io.registryauth.realm.scope;

import io.registryauth.realm.RealmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the {@code scope} values of a token request into resource scopes.
 *
 * <p>Grammar: {@code resourcetype[(class)]:resourcename:action[,action]*}. The type is the text before
 * the first ':' and the actions the text after the last one, so a name may carry a {@code host:port}
 * domain. One value may hold several scopes separated by spaces (POST bodies do that, and a query's
 * {@code +} arrives as a space). Unknown resource types are dropped, duplicate resources merge their
 * actions, first-seen order is kept. Anything malformed is a 400 whose message quotes the scope.
 */
public final class ScopeParser {
    public static final int MAX_SCOPES = 64;
    public static final int MAX_SCOPE_LENGTH = 512;
    private static final int QUOTE_LIMIT = 100;

    private ScopeParser() {
    }

    public static List<ResourceScope> parse(List<String> rawScopeValues) {
        if (rawScopeValues == null || rawScopeValues.isEmpty()) {
            return List.of();
        }
        Map<String, Pending> byResource = new LinkedHashMap<>();
        int count = 0;
        for (String raw : rawScopeValues) {
            if (raw == null) {
                continue;
            }
            int i = 0;
            int n = raw.length();
            while (i < n) {
                if (raw.charAt(i) == ' ') {
                    i++;
                    continue;
                }
                int end = raw.indexOf(' ', i);
                if (end < 0) {
                    end = n;
                }
                if (++count > MAX_SCOPES) {
                    throw RealmException.badRequest("too many scopes: at most " + MAX_SCOPES + " per request");
                }
                parseOne(raw.substring(i, end), byResource);
                i = end;
            }
        }
        List<ResourceScope> result = new ArrayList<>(byResource.size());
        for (Pending p : byResource.values()) {
            result.add(new ResourceScope(p.type, p.resourceClass, p.name, p.actions));
        }
        return List.copyOf(result);
    }

    private static final class Pending {
        final String type;
        final String resourceClass;
        final String name;
        final Set<String> actions = new LinkedHashSet<>();

        Pending(String type, String resourceClass, String name) {
            this.type = type;
            this.resourceClass = resourceClass;
            this.name = name;
        }
    }

    private static void parseOne(String scope, Map<String, Pending> byResource) {
        if (scope.length() > MAX_SCOPE_LENGTH) {
            throw invalid(scope, "longer than " + MAX_SCOPE_LENGTH + " characters");
        }
        for (int i = 0; i < scope.length(); i++) {
            char c = scope.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw invalid(scope, "contains a control, space or non-ASCII character");
            }
        }
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || first == last) {
            throw invalid(scope, "expected type:name:actions");
        }
        String typePart = scope.substring(0, first);
        String name = scope.substring(first + 1, last);
        String actionPart = scope.substring(last + 1);
        if (typePart.isEmpty()) {
            throw invalid(scope, "empty resource type");
        }
        if (name.isEmpty()) {
            throw invalid(scope, "empty resource name");
        }
        if (actionPart.isEmpty()) {
            throw invalid(scope, "no action");
        }

        String type = typePart;
        String resourceClass = null;
        int open = typePart.indexOf('(');
        if (open >= 0) {
            if (!typePart.endsWith(")") || open == 0 || typePart.indexOf('(', open + 1) >= 0) {
                throw invalid(scope, "resource class must be written type(class)");
            }
            type = typePart.substring(0, open);
            resourceClass = typePart.substring(open + 1, typePart.length() - 1);
            if (resourceClass.isEmpty() || !isLowerAlnum(resourceClass)) {
                throw invalid(scope, "resource class must be written type(class) with class in [a-z0-9]+");
            }
        }
        if (!isLowerAlnum(type)) {
            throw invalid(scope, "resource type must match [a-z0-9]+");
        }

        List<String> actions = parseActions(scope, actionPart);
        if (type.equals("repository")) {
            String problem = RepositoryNames.problem(name);
            if (problem != null) {
                throw invalid(scope, problem);
            }
        } else if (!type.equals("registry") || resourceClass != null || !name.equals("catalog")) {
            // Unknown resources are not an error: a client may ask for more than this realm knows.
            return;
        }
        String key = typePart + ':' + name;
        Pending pending = byResource.get(key);
        if (pending == null) {
            pending = new Pending(type, resourceClass, name);
            byResource.put(key, pending);
        }
        pending.actions.addAll(actions);
    }

    private static List<String> parseActions(String scope, String actionPart) {
        List<String> actions = new ArrayList<>(3);
        int start = 0;
        while (true) {
            int comma = actionPart.indexOf(',', start);
            int end = comma < 0 ? actionPart.length() : comma;
            if (end == start) {
                throw invalid(scope, "empty action");
            }
            for (int i = start; i < end; i++) {
                char c = actionPart.charAt(i);
                if (!(c >= 'a' && c <= 'z') && c != '*') {
                    throw invalid(scope, "action must match [a-z*]+");
                }
            }
            actions.add(actionPart.substring(start, end));
            if (comma < 0) {
                return actions;
            }
            start = comma + 1;
        }
    }

    private static boolean isLowerAlnum(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static RealmException invalid(String scope, String problem) {
        return RealmException.badRequest("invalid scope \"" + quote(scope) + "\": " + problem);
    }

    /**
     * The scope as it may appear in a message: printable ASCII only, cut to about 100 characters of
     * output (escapes count with their full width, so a run of control characters cannot inflate it).
     */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(QUOTE_LIMIT + 8);
        int i = 0;
        for (; i < s.length() && out.length() < QUOTE_LIMIT; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < s.length()) {
            out.append("...");
        }
        return out.toString();
    }
}
