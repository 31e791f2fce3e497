package io.registryauth.realm.policy;

/**
 * Who a grant is for. {@code name} is the user or group name, {@code "<namespace>:<name>"} for a service
 * account, the provider's name for a WORKLOAD, and null for ANONYMOUS and AUTHENTICATED. {@code source}, for
 * USER and GROUP subjects, limits the subject to identities of that source (e.g. "htpasswd", "oidc:corp"); null
 * matches the name from any source. {@code workload} holds a WORKLOAD subject's claim conditions; null for
 * every other kind.
 */
public record Subject(SubjectKind kind, String name, String source, WorkloadMatch workload) {
    public Subject(SubjectKind kind, String name, String source) {
        this(kind, name, source, null);
    }

    public Subject(SubjectKind kind, String name) {
        this(kind, name, null);
    }

    public static Subject user(String name) { return new Subject(SubjectKind.USER, name); }
    public static Subject group(String name) { return new Subject(SubjectKind.GROUP, name); }
    public static Subject serviceAccount(String namespace, String name) {
        return new Subject(SubjectKind.SERVICE_ACCOUNT, namespace + ":" + name);
    }
    public static Subject anonymous() { return new Subject(SubjectKind.ANONYMOUS, null); }
    public static Subject authenticated() { return new Subject(SubjectKind.AUTHENTICATED, null); }

    /** Jobs of workload-identity provider {@code match.provider()} whose claims meet {@code match}. */
    public static Subject workload(WorkloadMatch match) {
        return new Subject(SubjectKind.WORKLOAD, match.provider(), null, match);
    }

    /** This subject limited to identities of {@code source}. */
    public Subject from(String source) {
        return new Subject(kind, name, source, workload);
    }
}
