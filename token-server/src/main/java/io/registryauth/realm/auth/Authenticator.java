package io.registryauth.realm.auth;

import io.registryauth.realm.RealmConfig;

/**
 * One link of the authenticator chain. Implementations may block (bcrypt, calls to an identity
 * provider): the HTTP layer calls them off the event loop, on the workers their {@link Cost} names.
 */
public interface Authenticator {
    /**
     * What one check costs, so that slow checks wait for their own workers instead of holding up cheap
     * ones: CHEAP (microseconds: a lookup, a hash, a cached verdict), HASH (a password hash such as bcrypt:
     * tens of milliseconds of CPU), REMOTE (a call to another system, bounded by its timeouts).
     */
    enum Cost { CHEAP, HASH, REMOTE }

    /** Stable name, recorded in identities, refresh tokens and audit lines. */
    String name();

    AuthResult authenticate(RealmConfig realm, Credentials credentials);

    /**
     * What {@link #authenticate} would cost for these credentials right now; must itself be cheap and
     * must not count as a check. REMOTE unless overridden: an unknown authenticator may call out.
     */
    default Cost cost(RealmConfig realm, Credentials credentials) {
        return Cost.REMOTE;
    }

    /**
     * Re-checks an identity this authenticator admitted earlier (a refresh token being used) against
     * the current realm state: Admitted with the current groups, or Rejected when it no longer exists.
     */
    AuthResult recheck(RealmConfig realm, Identity identity);

    /** What {@link #recheck} would cost for this identity right now; REMOTE unless overridden, as for {@link #cost}. */
    default Cost recheckCost(RealmConfig realm, Identity identity) {
        return Cost.REMOTE;
    }
}
