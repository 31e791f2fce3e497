package io.registryauth.realm.auth;

import java.util.Set;

/** A user from htpasswd content: name, bcrypt hash as htpasswd -B writes it, and group memberships. */
public record StaticUser(String name, String bcryptHash, Set<String> groups) {
    public StaticUser {
        groups = Set.copyOf(groups);
    }

    @Override
    public String toString() {
        return "StaticUser[name=" + name + ", groups=" + groups + "]";
    }
}
