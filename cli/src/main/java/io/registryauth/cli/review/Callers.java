package io.registryauth.cli.review;

import io.registryauth.cli.CliException;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.RepositoryNames;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.scope.ScopeParser;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Who is asking and what, as the realm would see it. */
final class Callers {
    static final String ANONYMOUS = "system:anonymous";
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:";
    /** A name no {@code ${user}} can stand for ('~' is not allowed in a path segment). */
    private static final String ANY_MEMBER = "~member";

    private Callers() {
    }

    /**
     * {@code --as}: a user name (as the realm sees it, with a provider's prefix such as {@code corp:alice}),
     * {@code system:serviceaccount:NS:NAME} (with the groups Kubernetes gives it), {@code robot$NS$GRANT}, or
     * {@code system:anonymous}. {@code source} is the identity source (htpasswd, oidc:corp, ldap:corp, ...);
     * without it only subjects that name no source match, as for a caller whose source no grant names.
     */
    static Identity identity(String as, List<String> groups, String source) {
        if (as == null || as.isBlank()) {
            throw new CliException("--as needs a name");
        }
        Set<String> all = new LinkedHashSet<>(groups);
        if (as.equals(ANONYMOUS)) {
            return Identity.ANONYMOUS;
        }
        if (as.startsWith(SERVICE_ACCOUNT)) {
            String rest = as.substring(SERVICE_ACCOUNT.length());
            int colon = rest.indexOf(':');
            if (colon <= 0 || colon == rest.length() - 1) {
                throw new CliException("a service account is written system:serviceaccount:NAMESPACE:NAME");
            }
            all.add("system:serviceaccounts");
            all.add("system:serviceaccounts:" + rest.substring(0, colon));
            all.add("system:authenticated");
            return new Identity(rest, all, source == null ? "serviceaccount" : source, SubjectKind.SERVICE_ACCOUNT);
        }
        if (as.startsWith("robot$")) {
            return new Identity(as, Set.of(), "robot", SubjectKind.ROBOT);
        }
        return new Identity(as, all, source, SubjectKind.USER);
    }

    /** A caller that a grant naming {@code subject} names, to ask the realm what that subject may do. */
    static Identity representative(Subject subject, String userName) {
        String source = subject.source() == null || subject.source().isEmpty() ? null : subject.source();
        String name = userName == null ? ANY_MEMBER : userName;
        return switch (subject.kind()) {
            case USER -> new Identity(subject.name(), Set.of(), source, SubjectKind.USER);
            case GROUP -> subject.name().startsWith("system:")
                    ? new Identity("who-can:member", Set.of(subject.name()), "serviceaccount",
                            SubjectKind.SERVICE_ACCOUNT)
                    : new Identity(name, Set.of(subject.name()), source, SubjectKind.USER);
            case SERVICE_ACCOUNT -> identity(SERVICE_ACCOUNT + subject.name(), List.of(), null);
            case ANONYMOUS -> Identity.ANONYMOUS;
            case AUTHENTICATED -> new Identity(name, Set.of(), null, SubjectKind.USER);
            case ROBOT -> new Identity(subject.name(), Set.of(), "robot", SubjectKind.ROBOT);
            default -> null;
        };
    }

    /** {@code ACTION} (pull, push, delete, * or a comma list) on {@code REPOSITORY}, checked as the realm parses. */
    static ResourceScope scope(String actions, String repository) {
        String problem = repository == null ? "no repository" : RepositoryNames.problem(repository);
        if (problem != null) {
            throw new CliException("repository '" + repository + "': " + problem);
        }
        try {
            List<ResourceScope> parsed = ScopeParser.parse(List.of("repository:" + repository + ":" + actions));
            if (parsed.size() != 1) {
                throw new CliException("cannot read repository " + repository);
            }
            for (String action : parsed.get(0).actions()) {
                if (!List.of("pull", "push", "delete", "*").contains(action)) {
                    throw new CliException("unknown action '" + action + "'; use pull, push, delete or *");
                }
            }
            return parsed.get(0);
        } catch (RuntimeException e) {
            if (e instanceof CliException cli) {
                throw cli;
            }
            throw new CliException("not a repository and action: " + e.getMessage());
        }
    }
}
