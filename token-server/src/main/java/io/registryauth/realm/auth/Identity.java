package io.registryauth.realm.auth;

import io.registryauth.realm.policy.SubjectKind;
import java.util.Map;
import java.util.Set;

/**
 * Who the caller is once an authenticator admitted them. {@code kind} is USER, SERVICE_ACCOUNT, ROBOT,
 * WORKLOAD or ANONYMOUS; {@code authenticator} names the authenticator that admitted the caller (optionally as
 * {@code "name:detail"}, e.g. "oidc:corp"), so a refresh token can be re-checked by the same one. For a
 * service account {@code name} is {@code "<namespace>:<name>"}, for a robot {@code "robot$<namespace>$<grant>"}.
 * {@code claims} are a WORKLOAD identity's token claims (strings, numbers and booleans only, bounded by the
 * admitting source); empty for every other kind.
 */
public record Identity(String name, Set<String> groups, String authenticator, SubjectKind kind,
                       Map<String, Object> claims) {
    public static final Identity ANONYMOUS = new Identity("", Set.of(), "anonymous", SubjectKind.ANONYMOUS);

    public Identity {
        groups = Set.copyOf(groups);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** An identity without claims: every kind but WORKLOAD. */
    public Identity(String name, Set<String> groups, String authenticator, SubjectKind kind) {
        this(name, groups, authenticator, kind, Map.of());
    }

    public boolean anonymous() {
        return kind == SubjectKind.ANONYMOUS;
    }
}
