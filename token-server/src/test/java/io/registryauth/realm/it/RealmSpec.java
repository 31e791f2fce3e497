package io.registryauth.realm.it;

import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a test realm holds: its keys, its users (name to password), their groups (group to members) and its
 * grants. The wither methods build the next snapshot a test swaps in.
 */
public record RealmSpec(KeyRing keys, Map<String, String> passwords, List<Grant> grants, boolean anonymous,
                        Map<String, List<String>> groups) {
    private static final AtomicInteger GRANT_IDS = new AtomicInteger();

    public RealmSpec {
        passwords = Map.copyOf(passwords);
        grants = List.copyOf(grants);
        groups = Map.copyOf(groups);
    }

    /** A realm whose users belong to no group. */
    public RealmSpec(KeyRing keys, Map<String, String> passwords, List<Grant> grants, boolean anonymous) {
        this(keys, passwords, grants, anonymous, Map.of());
    }

    public RealmSpec withKeys(KeyRing next) {
        return new RealmSpec(next, passwords, grants, anonymous, groups);
    }

    public RealmSpec withoutUser(String name) {
        Map<String, String> remaining = new LinkedHashMap<>(passwords);
        remaining.remove(name);
        return new RealmSpec(keys, remaining, grants, anonymous, groups);
    }

    public Login login(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no such user in this realm: " + user);
        }
        return new Login(user, password);
    }

    /** A grant of {@code actions} on repositories matching {@code pattern}. */
    public static Grant allow(Subject subject, String pattern, String... actions) {
        return new Grant("it/grant-" + GRANT_IDS.incrementAndGet(), List.of(subject), List.of(pattern),
                Set.of(actions), false);
    }

    /** A grant of catalog listing only. */
    public static Grant catalog(Subject subject) {
        return new Grant("it/catalog-" + GRANT_IDS.incrementAndGet(), List.of(subject), List.of(), Set.of(), true);
    }
}
