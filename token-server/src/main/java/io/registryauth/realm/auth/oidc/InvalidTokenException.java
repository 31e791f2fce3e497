package io.registryauth.realm.auth.oidc;

/** The token was checked and is not acceptable. The message is safe to show to the client. */
final class InvalidTokenException extends Exception {
    InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}
