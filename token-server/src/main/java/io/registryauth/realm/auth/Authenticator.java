package io.registryauth.realm.auth;

import io.registryauth.realm.RealmConfig;

/**
 * One link of the authenticator chain. Implementations may block (bcrypt, calls to an identity
 * provider): the HTTP layer calls them off the event loop.
 */
public interface Authenticator {
    /** Stable name, recorded in identities, refresh tokens and audit lines. */
    String name();

    AuthResult authenticate(RealmConfig realm, Credentials credentials);

    /**
     * Re-checks an identity this authenticator admitted earlier (a refresh token being used) against
     * the current realm state: Admitted with the current groups, or Rejected when it no longer exists.
     */
    AuthResult recheck(RealmConfig realm, Identity identity);
}
