package io.registryauth.realm.auth;

import io.registryauth.realm.RealmConfig;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One identity source of the realm (htpasswd users, robots, an identity provider, Kubernetes service
 * accounts). Every credential belongs to at most one source: the token server asks each source, in
 * registration order, whether it {@link #claim claims} the credential (a local, cheap decision that sends
 * nothing anywhere), and only the owner ever sees the password. A refusal is final: there is no falling
 * through to another source. Implementations may block (bcrypt, calls to an identity provider): the HTTP
 * layer calls them off the event loop, on the workers their {@link Cost} names.
 */
public interface Authenticator {
    /**
     * What one check costs, so that slow checks wait for their own workers instead of holding up cheap
     * ones: CHEAP (microseconds: a lookup, a hash, a cached verdict), HASH (a password hash such as bcrypt:
     * tens of milliseconds of CPU), REMOTE (a call to another system, bounded by its timeouts).
     */
    enum Cost { CHEAP, HASH, REMOTE }

    /**
     * How a source relates to a credential. OWNS: it is this source's by its shape or name (a robot name,
     * a JWT naming a configured issuer, a service-account token, a local user's name); the first owner in
     * registration order takes it. LEFTOVER: this source would take it only if nobody owns it (an opaque
     * token offered to an introspecting provider). NONE: not this source's.
     */
    enum Claim { NONE, OWNS, LEFTOVER }

    /** A counter or gauge a source publishes on {@code /metrics}; names are fixed, values read at scrape time. */
    record Metric(String name, String type, String help, LongSupplier value) {
    }

    /** Stable name, recorded as the source of identities and sessions (optionally "name:detail"). */
    String name();

    /** Whether {@code credentials} belong to this source. Must be cheap and local, and reveal nothing. */
    Claim claim(RealmConfig realm, Credentials credentials);

    /**
     * Checks credentials this source claimed. Admitted (with what the session is bound to), Rejected (wrong,
     * with a reason safe to show), or Unavailable (the source cannot decide now: a 503, never a wrong 401).
     */
    AuthResult authenticate(RealmConfig realm, Credentials credentials);

    /**
     * What {@link #authenticate} would cost for these credentials right now; must itself be cheap and
     * must not count as a check. REMOTE unless overridden: an unknown authenticator may call out.
     */
    default Cost cost(RealmConfig realm, Credentials credentials) {
        return Cost.REMOTE;
    }

    /**
     * Re-checks a session this source started (a refresh token being used) against the current realm state
     * and the credential the session is bound to: Admitted with the current identity and groups, Rejected
     * when the credential ended (password changed, user removed, robot rotated, service account recreated,
     * token revoked), Unavailable when that cannot be decided now.
     */
    AuthResult recheck(RealmConfig realm, Session session);

    /** What {@link #recheck} would cost for this session right now; REMOTE unless overridden, as for {@link #cost}. */
    default Cost recheckCost(RealmConfig realm, Session session) {
        return Cost.REMOTE;
    }

    /**
     * Whether failures of this source count towards the failure throttle (source, user, address). True unless
     * overridden: a source whose credentials cannot be guessed and whose users share names and addresses (CI
     * jobs behind one egress, logging in under one fixed name) opts out, so one job's bad tokens never block
     * another's.
     */
    default boolean throttled() {
        return true;
    }

    /** This source's series on {@code /metrics}; none by default. */
    default List<Metric> metrics() {
        return List.of();
    }
}
