package io.registryauth.realm.policy;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.RepositoryNames;
import io.registryauth.realm.scope.ResourceScope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The authorization rules written as plainly as possible: scan every grant, turn every pattern into a
 * regular expression. Slow and obviously right; the indexed {@link Policy} must always agree with it.
 */
final class ReferencePolicy {
    private static final List<String> CONCRETE = List.of("pull", "push", "delete");
    private final List<Grant> grants;
    private final Map<String, Pattern> regexes = new HashMap<>();

    ReferencePolicy(Collection<Grant> grants) {
        this.grants = List.copyOf(grants);
    }

    List<ResourceScope> authorize(Identity who, List<ResourceScope> requested) {
        Identity caller = who == null ? Identity.ANONYMOUS : who;
        List<ResourceScope> out = new ArrayList<>();
        for (ResourceScope scope : requested) {
            if (scope == null || scope.type() == null || scope.name() == null) {
                continue;
            }
            Set<String> actions = new LinkedHashSet<>();
            if (scope.type().equals("repository")) {
                Set<String> held = new LinkedHashSet<>();
                for (Grant grant : grants) {
                    if (matchesSubject(grant, caller) && matchesName(grant, caller, scope.name())) {
                        held.addAll(grant.actions());
                    }
                }
                for (String action : scope.actions()) {
                    // Grants only know pull, push, delete and "*"; any other word in a grant grants nothing.
                    if (held.contains("*") || CONCRETE.contains(action) && held.contains(action)) {
                        actions.add(action);
                    } else if (action.equals("*")) {
                        for (String concrete : CONCRETE) {
                            if (held.contains(concrete)) {
                                actions.add(concrete);
                            }
                        }
                    }
                }
            } else if (scope.type().equals("registry") && scope.resourceClass() == null
                    && scope.name().equals("catalog")
                    && grants.stream().anyMatch(g -> g.catalog() && matchesSubject(g, caller))) {
                actions.addAll(scope.actions());
            }
            if (!actions.isEmpty()) {
                out.add(new ResourceScope(scope.type(), scope.resourceClass(), scope.name(), actions));
            }
        }
        return out;
    }

    private static boolean matchesSubject(Grant grant, Identity caller) {
        for (Subject s : grant.subjects()) {
            boolean named = s.name() != null && !s.name().isEmpty();
            // A robot is matched by its own ROBOT subject and by nothing else.
            boolean robot = caller.kind() == SubjectKind.ROBOT;
            boolean match = switch (s.kind()) {
                case ANONYMOUS -> !robot;
                case AUTHENTICATED -> !caller.anonymous() && !robot;
                case USER -> named && caller.kind() == SubjectKind.USER && caller.name().equals(s.name());
                case SERVICE_ACCOUNT -> named && caller.kind() == SubjectKind.SERVICE_ACCOUNT
                        && caller.name().equals(s.name());
                case GROUP -> named && !caller.anonymous() && !robot && caller.groups().contains(s.name());
                case ROBOT -> named && robot && caller.name().equals(s.name());
                // Workload callers and subjects are checked by WorkloadPolicyTest, not by this reference.
                case WORKLOAD -> false;
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesName(Grant grant, Identity caller, String name) {
        String user = !caller.anonymous() && RepositoryNames.isPathComponent(caller.name()) ? caller.name() : null;
        for (String pattern : grant.repositoryPatterns()) {
            if (Policy.patternProblem(pattern).isPresent()) {
                continue;
            }
            if (pattern.contains("${user}") && user == null) {
                continue;
            }
            Pattern regex = regexes.computeIfAbsent(pattern + "\n" + user, k -> toRegex(pattern, user));
            if (regex.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern toRegex(String pattern, String user) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            if (pattern.startsWith("**", i)) {
                regex.append("[\\s\\S]*");
                i += 2;
            } else if (pattern.charAt(i) == '*') {
                regex.append("[^/]*");
                i++;
            } else if (pattern.startsWith("${user}", i)) {
                regex.append(Pattern.quote(user));
                i += "${user}".length();
            } else {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
                i++;
            }
        }
        return Pattern.compile(regex.toString());
    }
}
