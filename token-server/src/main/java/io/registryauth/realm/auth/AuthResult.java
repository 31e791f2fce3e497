package io.registryauth.realm.auth;

/** What one authenticator says about a set of credentials. */
public sealed interface AuthResult {
    /** These credentials are not for this authenticator; ask the next one. */
    record NotMine() implements AuthResult {}

    record Admitted(Identity identity) implements AuthResult {}

    /** The credentials are this authenticator's and they are wrong. {@code reason} is safe to show. */
    record Rejected(String reason) implements AuthResult {}

    /**
     * This authenticator cannot decide right now (its identity provider is unreachable). The request
     * gets a 503-class answer instead of a wrong 401. {@code reason} is safe to show.
     */
    record Unavailable(String reason) implements AuthResult {}

    AuthResult NOT_MINE = new NotMine();
}
