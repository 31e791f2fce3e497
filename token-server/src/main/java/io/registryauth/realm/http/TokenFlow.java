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
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.Unclaimed;
import io.registryauth.realm.policy.Explainer;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.registryauth.realm.sign.AccessTokenIssuer.IssuedToken;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking and what they get: the blocking part of a token request (bcrypt, signing), run on a
 * worker thread against the one realm the request resolved at its start. Every request starts on the
 * CHEAP lane; one that meets a costly check is {@link Deferred} to the lane of that cost.
 */
final class TokenFlow {
    private final List<Authenticator> sources;
    private final FailureThrottle throttle;
    private final AccessTokenIssuer issuer;
    private final TokenMetrics metrics;

    TokenFlow(List<Authenticator> sources, FailureThrottle throttle, AccessTokenIssuer issuer, TokenMetrics metrics) {
        this.sources = List.copyOf(sources);
        this.throttle = throttle;
        this.issuer = issuer;
        this.metrics = metrics;
    }

    /** A request without credentials: the anonymous identity, if this realm admits it. */
    AuthResult.Admitted anonymous(RealmConfig realm, Decision decision) {
        decision.subject = "";
        decision.authenticator = Identity.ANONYMOUS.authenticator();
        decision.grant = "anonymous";
        if (!realm.anonymous()) {
            throw RealmException.unauthorized("authentication required");
        }
        return new AuthResult.Admitted(Identity.ANONYMOUS);
    }

    /**
     * The one source that owns these credentials: the first (in registration order) that OWNS them, else
     * the first that takes them as a LEFTOVER, else none. Only that source ever sees the password.
     */
    private Authenticator owner(RealmConfig realm, Credentials credentials) {
        Authenticator leftover = null;
        for (Authenticator source : sources) {
            Authenticator.Claim claim = source.claim(realm, credentials);
            if (claim == Authenticator.Claim.OWNS) {
                return source;
            }
            if (claim == Authenticator.Claim.LEFTOVER && leftover == null) {
                leftover = source;
            }
        }
        return leftover;
    }

    /**
     * Routes the credentials to the one source that owns them and takes its word: Admitted, Rejected (a 401,
     * counted), or Unavailable (a 503, counted too, so an outage cannot be used to tell right passwords from
     * wrong ones). Credentials nobody owns are refused after the same work a wrong password costs. Throttled
     * (source, user, address) entries are refused before any check. On the CHEAP lane a check that is not
     * cheap throws {@link Deferred}: the caller runs the whole request again on that cost's lane, where the
     * same routing sends it to the same source, so a remote call never runs on the hash lane.
     */
    AuthResult.Admitted authenticate(RealmConfig realm, Credentials credentials, Instant now, Decision decision,
                                     Cost lane) {
        String user = credentials.username();
        decision.subject = user;
        decision.grant = "password";
        Authenticator source = owner(realm, credentials);
        String sourceName = source == null ? Unclaimed.SOURCE : source.name();
        decision.authenticator = sourceName;
        boolean throttled = source == null || source.throttled();
        Optional<Duration> blocked = throttled ? throttle.blockedFor(sourceName, user, decision.clientAddress, now)
                : Optional.empty();
        if (blocked.isPresent()) {
            throw new TooManyFailures(blocked.get());
        }
        Cost cost = source == null ? Cost.HASH : source.cost(realm, credentials);
        if (lane == Cost.CHEAP && cost != Cost.CHEAP) {
            throw new Deferred(cost);
        }
        AuthResult result = source == null ? Unclaimed.refuse(credentials) : source.authenticate(realm, credentials);
        if (result instanceof AuthResult.Admitted admitted) {
            if (throttled) {
                throttle.recordSuccess(sourceName, user, decision.clientAddress);
            }
            decision.subject = admitted.identity().name();
            decision.authenticator = admitted.identity().authenticator();
            decision.describe(admitted.identity());
            return admitted;
        }
        if (throttled) {
            throttle.recordFailure(sourceName, user, decision.clientAddress, now);
        }
        if (result instanceof AuthResult.Unavailable down) {
            throw unavailable(down.reason());
        }
        metrics.authenticationFailure(realm.service(), sourceName);
        throw RealmException.unauthorized(((AuthResult.Rejected) result).reason());
    }

    /**
     * The refresh grant: the token must open (sealed by this realm, not expired), and the source that
     * started the session must still admit it in the current state, so a session ends when its credential
     * ends. On the CHEAP lane a recheck that is not cheap throws {@link Deferred}, as in {@link #authenticate}.
     */
    AuthResult.Admitted refresh(RealmConfig realm, String refreshToken, Instant now, Decision decision, Cost lane) {
        decision.grant = "refresh";
        Session session = RefreshTokens.open(realm, refreshToken, now).orElse(null);
        if (session == null) {
            metrics.authenticationFailure(realm.service(), "refresh_token");
            throw RealmException.unauthorized("invalid or expired refresh token");
        }
        decision.subject = session.subject();
        decision.authenticator = session.source();
        decision.sessionAge = session.age(now);
        Authenticator source = sources.stream().filter(a -> started(a, session)).findFirst().orElse(null);
        if (source != null && lane == Cost.CHEAP) {
            Cost cost = source.recheckCost(realm, session);
            if (cost != Cost.CHEAP) {
                throw new Deferred(cost);
            }
        }
        AuthResult result = source == null ? null : source.recheck(realm, session);
        if (result instanceof AuthResult.Admitted admitted) {
            decision.describe(admitted.identity());
            return admitted;
        }
        if (result instanceof AuthResult.Unavailable down) {
            throw unavailable(down.reason());
        }
        metrics.authenticationFailure(realm.service(), session.source());
        throw RealmException.unauthorized(result instanceof AuthResult.Rejected rejected
                ? rejected.reason()
                : "refresh token is no longer valid");
    }

    /** A source's sessions carry its name, or "name:detail" (e.g. "oidc:corp" for a provider). */
    private static boolean started(Authenticator source, Session session) {
        String recorded = session.source();
        return recorded.equals(source.name()) || recorded.startsWith(source.name() + ":");
    }

    private static RealmException unavailable(String reason) {
        return new RealmException(503, "UNAVAILABLE", reason);
    }

    /** Grants the intersection of what was asked and what is allowed (maybe nothing) and signs it. */
    Answer issue(RealmConfig realm, Identity who, List<ResourceScope> requested, Instant now, String refreshToken,
                 Decision decision) {
        List<ResourceScope> granted = realm.policy().authorize(who, requested);
        decision.granted = granted;
        if (!granted.equals(requested)) {
            decision.denied = denied(realm, who, requested, granted);
        }
        return new Answer(issuer.issue(realm, who, granted, now), granted, refreshToken);
    }

    /** For the audit: each requested scope not wholly granted, with why (no secret reaches these codes). */
    private static Map<String, String> denied(RealmConfig realm, Identity who, List<ResourceScope> requested,
                                              List<ResourceScope> granted) {
        Map<String, String> denied = new LinkedHashMap<>();
        for (ResourceScope asked : requested) {
            ResourceScope got = null;
            for (ResourceScope g : granted) {
                if (g.name().equals(asked.name()) && g.typeWithClass().equals(asked.typeWithClass())) {
                    got = g;
                    break;
                }
            }
            if (got == null || !Explainer.missing(asked.actions(), got.actions()).isEmpty()) {
                denied.put(asked.toScopeString(), Explainer.reasonCode(realm.policy(), who, asked, got));
            }
        }
        return denied;
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
