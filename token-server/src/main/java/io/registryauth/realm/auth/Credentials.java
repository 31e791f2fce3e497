package io.registryauth.realm.auth;

import io.registryauth.realm.RealmException;
import java.nio.charset.StandardCharsets;

/** A username and a secret from a Basic header or a password grant. Never printed. */
public record Credentials(String username, String password) {
    public static final int MAX_USERNAME_CHARS = 256;
    public static final int MAX_PASSWORD_BYTES = 8 * 1024;

    /**
     * Credentials within the limits every way in shares (Basic header, password grant): a username of 1 to
     * {@value #MAX_USERNAME_CHARS} characters without control characters (usernames reach audit lines and
     * throttle keys), a password of at most {@value #MAX_PASSWORD_BYTES} bytes. A refusal is a 400 whose
     * message starts with {@code what} and never repeats the input.
     */
    public static Credentials checked(String username, String password, String what) {
        if (username == null || username.isEmpty()) {
            throw RealmException.badRequest(what + ": empty username");
        }
        if (username.length() > MAX_USERNAME_CHARS) {
            throw RealmException.badRequest(what + ": username longer than " + MAX_USERNAME_CHARS + " characters");
        }
        if (username.chars().anyMatch(Character::isISOControl)) {
            throw RealmException.badRequest(what + ": control characters in username");
        }
        String secret = password == null ? "" : password;
        // Cheap bound first: a UTF-8 encoding is at least as long as the string in chars.
        if (secret.length() > MAX_PASSWORD_BYTES || secret.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw RealmException.badRequest(what + ": password longer than " + MAX_PASSWORD_BYTES + " bytes");
        }
        return new Credentials(username, secret);
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=<redacted>]";
    }
}
