package io.registryauth.realm.policy;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A small text format for policy cases, so fuzz seeds are readable and mutate sensibly. One line each:
 * <pre>
 * g SUBJECT[;SUBJECT] PATTERN[;PATTERN] ACTION[,ACTION] [c]   a grant (c: catalog); SUBJECT is
 *                                                           u:NAME, g:NAME, sa:NS:NAME, r:NAME, anon or auth
 * w u|sa|r|anon NAME [GROUP,GROUP]                            the caller (default anonymous)
 * anything else                                             a requested scope, split like the parser
 *                                                           does but never validated
 * </pre>
 */
record PolicyScript(List<Grant> grants, Identity who, List<ResourceScope> requested) {

    static PolicyScript parse(String text) {
        List<Grant> grants = new ArrayList<>();
        Identity who = Identity.ANONYMOUS;
        List<ResourceScope> requested = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String[] f = line.split(" ", -1);
            if (f[0].equals("g") && f.length >= 4) {
                List<Subject> subjects = new ArrayList<>();
                for (String s : f[1].split(";")) {
                    subjects.add(subject(s));
                }
                grants.add(new Grant("g" + grants.size(), subjects, Arrays.asList(f[2].split(";", -1)),
                        new HashSet<>(Arrays.asList(f[3].split(",", -1))),
                        f.length > 4 && f[4].equals("c")));
            } else if (f[0].equals("w") && f.length >= 3) {
                Set<String> groups = f.length > 3 ? new HashSet<>(Arrays.asList(f[3].split(","))) : Set.of();
                who = switch (f[1]) {
                    case "u" -> new Identity(f[2], groups, "test", SubjectKind.USER);
                    case "sa" -> new Identity(f[2], groups, "test", SubjectKind.SERVICE_ACCOUNT);
                    case "r" -> new Identity(f[2], groups, "test", SubjectKind.ROBOT);
                    default -> Identity.ANONYMOUS;
                };
            } else {
                ResourceScope scope = scope(line);
                if (scope != null) {
                    requested.add(scope);
                }
            }
        }
        return new PolicyScript(grants, who, requested);
    }

    private static Subject subject(String s) {
        if (s.equals("anon")) {
            return Subject.anonymous();
        }
        if (s.equals("auth")) {
            return Subject.authenticated();
        }
        int colon = s.indexOf(':');
        String name = colon < 0 ? "" : s.substring(colon + 1);
        return switch (colon < 0 ? "" : s.substring(0, colon)) {
            case "u" -> Subject.user(name);
            case "g" -> Subject.group(name);
            case "sa" -> new Subject(SubjectKind.SERVICE_ACCOUNT, name);
            case "r" -> new Subject(SubjectKind.ROBOT, name);
            default -> new Subject(SubjectKind.USER, null);
        };
    }

    private static ResourceScope scope(String s) {
        int first = s.indexOf(':');
        int last = s.lastIndexOf(':');
        if (first < 0 || first == last) {
            return null;
        }
        String type = s.substring(0, first);
        String resourceClass = null;
        int open = type.indexOf('(');
        if (open >= 0 && type.endsWith(")")) {
            resourceClass = type.substring(open + 1, type.length() - 1);
            type = type.substring(0, open);
        }
        return new ResourceScope(type, resourceClass, s.substring(first + 1, last),
                new HashSet<>(Arrays.asList(s.substring(last + 1).split(","))));
    }
}
