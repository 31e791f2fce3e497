package io.registryauth.realm.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grants of one subject key, indexed: exact names in a hash map, wildcard patterns filed in a trie
 * under their literal leading path segments (so {@code team-a/**} is only tried for names starting with
 * {@code team-a/}), and {@code ${user}} and {@code ${claims.<name>}} patterns, which depend on the caller, in a
 * list.
 */
final class SubjectRules {
    private final Map<String, Integer> exact;
    private final Node root;
    private final RepositoryPattern[] userPatterns;
    private final int[] userMasks;
    private final boolean catalog;

    private SubjectRules(Map<String, Integer> exact, Node root, RepositoryPattern[] userPatterns, int[] userMasks,
                         boolean catalog) {
        this.exact = exact;
        this.root = root;
        this.userPatterns = userPatterns;
        this.userMasks = userMasks;
        this.catalog = catalog;
    }

    boolean catalog() {
        return catalog;
    }

    /** Union of the action bits this subject holds on {@code name}; {@code user} fills ${user} (null: no match). */
    int mask(String name, String user) {
        return mask(name, user, null);
    }

    /** As {@link #mask(String, String)}, with a workload's template values filling ${claims.<name>}. */
    int mask(String name, String user, Map<String, String> claims) {
        int mask = exact.getOrDefault(name, 0);
        Node node = root;
        int from = 0;
        while (node != null) {
            for (int i = 0; i < node.patterns.length; i++) {
                if ((mask | node.masks[i]) != mask && node.patterns[i].matches(name, from, null)) {
                    mask |= node.masks[i];
                }
            }
            int slash = name.indexOf('/', from);
            if (slash < 0 || node.children.isEmpty()) {
                break;
            }
            node = node.children.get(name.substring(from, slash));
            from = slash + 1;
        }
        if (user != null || claims != null) {
            for (int i = 0; i < userPatterns.length; i++) {
                if ((mask | userMasks[i]) != mask && userPatterns[i].matches(name, 0, user, claims)) {
                    mask |= userMasks[i];
                }
            }
        }
        return mask;
    }

    private static final class Node {
        final Map<String, Node> children;
        final RepositoryPattern[] patterns;
        final int[] masks;

        Node(Map<String, Node> children, RepositoryPattern[] patterns, int[] masks) {
            this.children = children;
            this.patterns = patterns;
            this.masks = masks;
        }
    }

    /** Mutable while a policy compiles; {@link #build} freezes it. */
    static final class Builder {
        boolean catalog;
        private final Map<String, Integer> exact = new HashMap<>();
        private final NodeBuilder root = new NodeBuilder();
        private final Map<String, Integer> userPatterns = new LinkedHashMap<>();
        private final Map<String, RepositoryPattern> compiledUserPatterns = new HashMap<>();

        void add(RepositoryPattern pattern, int mask) {
            String source = pattern.toString();
            if (pattern.usesUser() || pattern.usesClaims()) {
                userPatterns.merge(source, mask, (a, b) -> a | b);
                compiledUserPatterns.putIfAbsent(source, pattern);
                return;
            }
            if (source.indexOf('*') < 0) {
                exact.merge(source, mask, (a, b) -> a | b);
                return;
            }
            NodeBuilder node = root;
            int from = 0;
            while (true) {
                int slash = source.indexOf('/', from);
                if (slash < 0 || source.substring(from, slash).indexOf('*') >= 0) {
                    break;
                }
                node = node.children.computeIfAbsent(source.substring(from, slash), k -> new NodeBuilder());
                from = slash + 1;
            }
            String rest = source.substring(from);
            node.patterns.merge(rest, mask, (a, b) -> a | b);
        }

        SubjectRules build() {
            RepositoryPattern[] patterns = new RepositoryPattern[userPatterns.size()];
            int[] masks = new int[userPatterns.size()];
            int i = 0;
            for (Map.Entry<String, Integer> e : userPatterns.entrySet()) {
                patterns[i] = compiledUserPatterns.get(e.getKey());
                masks[i++] = e.getValue();
            }
            return new SubjectRules(Map.copyOf(exact), root.build(), patterns, masks, catalog);
        }
    }

    private static final class NodeBuilder {
        final Map<String, NodeBuilder> children = new HashMap<>();
        final Map<String, Integer> patterns = new LinkedHashMap<>();

        Node build() {
            Map<String, Node> built = new HashMap<>(children.size() * 2);
            children.forEach((segment, child) -> built.put(segment, child.build()));
            List<RepositoryPattern> compiled = new ArrayList<>(patterns.size());
            int[] masks = new int[patterns.size()];
            int i = 0;
            for (Map.Entry<String, Integer> e : patterns.entrySet()) {
                compiled.add(RepositoryPattern.compile(e.getKey()));
                masks[i++] = e.getValue();
            }
            return new Node(built.isEmpty() ? Map.of() : built, compiled.toArray(new RepositoryPattern[0]), masks);
        }
    }
}
