package io.registryauth.realm.http;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmException;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Authenticator.Cost;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.FailureThrottle;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.RefreshTokens;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.registryauth.realm.sign.AccessTokenIssuer.IssuedToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who is asking and what they get: the blocking part of a token request (bcrypt, signing), run on a
 * worker thread against the one realm the request resolved at its start. Every request starts on the
 * CHEAP lane; one that meets a costly check is {@link Deferred} to the lane of that cost.
 */
final class TokenFlow {
    private final List<Authenticator> chain;
    private final FailureThrottle throttle;
    private final AccessTokenIssuer issuer;
    private final TokenMetrics metrics;

    TokenFlow(List<Authenticator> chain, FailureThrottle throttle, AccessTokenIssuer issuer, TokenMetrics metrics) {
        this.chain = List.copyOf(chain);
        this.throttle = throttle;
        this.issuer = issuer;
        this.metrics = metrics;
    }

    /** A request without credentials: the anonymous identity, if this realm admits it. */
    Identity anonymous(RealmConfig realm, Decision decision) {
        decision.subject = "";
        decision.authenticator = Identity.ANONYMOUS.authenticator();
        if (!realm.anonymous()) {
            throw RealmException.unauthorized("authentication required");
        }
        return Identity.ANONYMOUS;
    }

    /**
     * Asks the chain in order: the first Admitted wins, NotMine passes to the next, a Rejected is kept
     * (its reason is the answer when nobody admits). When nobody admits and an authenticator could not
     * decide (its identity provider is down), the answer is a 503: a 401 would tell a valid user their
     * credentials are wrong, and it is not counted as a failed attempt. Throttled users are refused before
     * any check. On the CHEAP lane the chain stops before the first link whose check is not cheap and
     * throws {@link Deferred}: the caller runs the whole request again on that link's lane.
     */
    Identity authenticate(RealmConfig realm, Credentials credentials, Instant now, Decision decision, Cost lane) {
        String user = credentials.username();
        decision.subject = user;
        Optional<Duration> blocked = throttle.blockedFor(user, decision.clientAddress, now);
        if (blocked.isPresent()) {
            throw new TooManyFailures(blocked.get());
        }
        String rejection = null;
        String rejectedBy = null;
        String unavailable = null;
        for (Authenticator authenticator : chain) {
            if (lane == Cost.CHEAP) {
                Cost cost = authenticator.cost(realm, credentials);
                if (cost != Cost.CHEAP) {
                    throw new Deferred(cost);
                }
            }
            AuthResult result = authenticator.authenticate(realm, credentials);
            if (result instanceof AuthResult.Admitted admitted) {
                throttle.recordSuccess(user, decision.clientAddress);
                Identity identity = admitted.identity();
                decision.subject = identity.name();
                decision.authenticator = identity.authenticator();
                return identity;
            }
            if (result instanceof AuthResult.Rejected rejected && rejection == null) {
                rejection = rejected.reason();
                rejectedBy = authenticator.name();
            }
            if (result instanceof AuthResult.Unavailable down && unavailable == null) {
                unavailable = down.reason();
                decision.authenticator = authenticator.name();
            }
        }
        if (unavailable != null) {
            throw unavailable(unavailable);
        }
        throttle.recordFailure(user, decision.clientAddress, now);
        decision.authenticator = rejectedBy;
        metrics.authenticationFailure(realm.service(), rejectedBy == null ? "none" : rejectedBy);
        throw RealmException.unauthorized(rejection == null ? "invalid username or password" : rejection);
    }

    /**
     * The refresh grant: the token must verify, and the authenticator that admitted its holder must
     * still admit them in the current state, so a deleted user's refresh token stops working at once.
     * On the CHEAP lane a recheck that is not cheap throws {@link Deferred}, as in {@link #authenticate}.
     */
    Identity refresh(RealmConfig realm, String refreshToken, Instant now, Decision decision, Cost lane) {
        Identity claimed = RefreshTokens.verify(realm, refreshToken, now).orElse(null);
        if (claimed == null) {
            metrics.authenticationFailure(realm.service(), "refresh_token");
            throw RealmException.unauthorized("invalid or expired refresh token");
        }
        decision.subject = claimed.name();
        decision.authenticator = claimed.authenticator();
        Authenticator authenticator = chain.stream()
                .filter(a -> admittedBy(a, claimed))
                .findFirst()
                .orElse(null);
        if (authenticator != null && lane == Cost.CHEAP) {
            Cost cost = authenticator.recheckCost(realm, claimed);
            if (cost != Cost.CHEAP) {
                throw new Deferred(cost);
            }
        }
        AuthResult result = authenticator == null ? null : authenticator.recheck(realm, claimed);
        if (result instanceof AuthResult.Admitted admitted) {
            return admitted.identity();
        }
        if (result instanceof AuthResult.Unavailable down) {
            throw unavailable(down.reason());
        }
        metrics.authenticationFailure(realm.service(), claimed.authenticator());
        throw RealmException.unauthorized(result instanceof AuthResult.Rejected rejected
                ? rejected.reason()
                : "refresh token is no longer valid");
    }

    /** An authenticator's identities carry its name, or "name:detail" (e.g. "oidc:corp" for a provider). */
    private static boolean admittedBy(Authenticator authenticator, Identity identity) {
        String recorded = identity.authenticator();
        return recorded.equals(authenticator.name()) || recorded.startsWith(authenticator.name() + ":");
    }

    private static RealmException unavailable(String reason) {
        return new RealmException(503, "UNAVAILABLE", reason);
    }

    /** Grants the intersection of what was asked and what is allowed (maybe nothing) and signs it. */
    Answer issue(RealmConfig realm, Identity who, List<ResourceScope> requested, Instant now, String refreshToken,
                 Decision decision) {
        List<ResourceScope> granted = realm.policy().authorize(who, requested);
        decision.granted = granted;
        return new Answer(issuer.issue(realm, who, granted, now), granted, refreshToken);
    }

    /** The rest of the request must run on the lane of {@code cost}; nothing was counted or recorded yet. */
    static final class Deferred extends RuntimeException {
        final Cost cost;

        Deferred(Cost cost) {
            super("deferred to the " + cost + " lane", null, false, false);
            this.cost = cost;
        }
    }

    /** A signed token, what it grants, and the refresh token to hand back (null for none). */
    record Answer(IssuedToken token, List<ResourceScope> granted, String refreshToken) {
        @Override
        public String toString() {
            return "Answer[granted=" + granted + "]";
        }
    }
}
