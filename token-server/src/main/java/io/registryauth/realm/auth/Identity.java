package io.registryauth.realm.auth;

import io.registryauth.realm.policy.SubjectKind;
import java.util.Set;

/**
 * Who the caller is once an authenticator admitted them. {@code kind} is USER, SERVICE_ACCOUNT, ROBOT
 * or ANONYMOUS; {@code authenticator} names the authenticator that admitted the caller (optionally as
 * {@code "name:detail"}, e.g. "oidc:corp"), so a refresh token can be re-checked by the same one. For a
 * service account {@code name} is {@code "<namespace>:<name>"}, for a robot {@code "robot$<namespace>$<grant>"}.
 */
public record Identity(String name, Set<String> groups, String authenticator, SubjectKind kind) {
    public static final Identity ANONYMOUS = new Identity("", Set.of(), "anonymous", SubjectKind.ANONYMOUS);

    public Identity {
        groups = Set.copyOf(groups);
    }

    public boolean anonymous() {
        return kind == SubjectKind.ANONYMOUS;
    }
}
