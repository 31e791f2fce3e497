package io.registryauth.realm.auth;

/** A username and a secret from a Basic header or a password grant. Never printed. */
public record Credentials(String username, String password) {
    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=<redacted>]";
    }
}
