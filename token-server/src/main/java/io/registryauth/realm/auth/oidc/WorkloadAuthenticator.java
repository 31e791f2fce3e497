package io.registryauth.realm.auth.oidc;

import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.RefreshTokens;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.SessionBinding;
import io.registryauth.realm.auth.UnverifiedJwt;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.policy.WorkloadMatch;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a workload's ID token (a CI job's: GitHub Actions, GitLab CI {@code id_tokens}, or any OIDC issuer
 * configured as a {@link WorkloadProvider}) as the docker password, with any docker username (CI tools log
 * in with a fixed one).
 *
 * <p>Ownership: a password that is a JWT whose {@code iss} is a configured workload issuer belongs to that
 * provider alone; the token server asks this source before every other one, so such a token is never shown
 * to a robot, a directory, an identity provider or the Kubernetes API, whatever the username says.
 * Validation reuses the identity providers' key handling (discovery, JWKS with a refetch floor, asymmetric
 * algorithms only): signature, issuer, {@code exp} and {@code nbf} (with the realm's clock leeway) and the
 * audience, which is required (the realm's service unless configured).
 *
 * <p>The identity is a WORKLOAD named {@code <provider>:<sub>}, with source {@code workload:<provider>} and
 * the token's string, number and boolean claims (at most {@value #MAX_CLAIMS}, each value at most
 * {@value #MAX_CLAIM_CHARS} characters; a token with more is refused rather than trimmed, so a condition
 * never sees a claim silently missing). Grants match those claims ({@link WorkloadMatch}). The session a login
 * starts (the realm refresh token, which carries the claims sealed) lasts the provider's
 * {@code sessionMaxAge} and is bound to its issuer and audiences: a refresh never asks the CI platform again,
 * and it ends when the provider is removed or its issuer or audiences change.
 */
public final class WorkloadAuthenticator implements Authenticator {
    public static final String NAME = "workload";
    static final int MAX_CLAIMS = 64;
    static final int MAX_CLAIM_CHARS = 1024;
    private static final String PREFIX = WorkloadMatch.SOURCE_PREFIX;
    private static final String INVALID = "invalid username or password";
    private static final Set<String> NOT_KEPT = Set.of("aud", "exp", "iat", "nbf", "jti", "auth_time");
    private static final int MAX_SESSIONS = 32;
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadAuthenticator.class);

    private record SessionKey(String issuer, String caBundlePem) {
    }

    private final OidcAuthenticator.Settings settings;
    private final ValidationCache cache;
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Map<SessionKey, ProviderSession> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SessionKey, ProviderSession> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    public WorkloadAuthenticator() {
        this(OidcAuthenticator.Settings.defaults());
    }

    public WorkloadAuthenticator(OidcAuthenticator.Settings settings) {
        this.settings = settings;
        this.cache = new ValidationCache(settings.cacheEntries());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The source recorded in identities this provider admits. */
    public static String authenticatorName(WorkloadProvider provider) {
        return PREFIX + provider.name();
    }

    @Override
    public Claim claim(RealmConfig realm, Credentials credentials) {
        return owner(realm, credentials.password()).isPresent() ? Claim.OWNS : Claim.NONE;
    }

    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        Optional<WorkloadProvider> owner = owner(realm, credentials.password());
        if (owner.isEmpty()) {
            return Cost.CHEAP;
        }
        return cache.get(ValidationCache.key(fingerprint(realm, owner.get()), credentials.password()),
                settings.clock().instant()).isPresent() ? Cost.CHEAP : Cost.REMOTE;
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        String token = credentials.password();
        Optional<WorkloadProvider> owner = owner(realm, token);
        if (owner.isEmpty()) {
            return new AuthResult.Rejected(INVALID);
        }
        WorkloadProvider provider = owner.get();
        Instant now = settings.clock().instant();
        try {
            String key = ValidationCache.key(fingerprint(realm, provider), token);
            Optional<ValidationCache.Entry> cached = cache.get(key, now);
            ValidationCache.Entry entry;
            if (cached.isPresent()) {
                entry = cached.get();
            } else {
                if (!(JWTParser.parse(token) instanceof SignedJWT signed)) {
                    throw new InvalidTokenException("unsigned tokens are not accepted");
                }
                Map<String, Object> claims = JwtValidator.validate(signed, provider.issuer(), audiences(realm, provider),
                        session(provider), now, settings.clockLeeway());
                Instant until = now.plus(settings.cacheMaxAge());
                Optional<Instant> expiry = Claims.instant(claims, "exp");
                if (expiry.isPresent() && expiry.get().isBefore(until)) {
                    until = expiry.get();
                }
                entry = new ValidationCache.Entry(provider.name(), claims, now, until);
                cache.put(key, entry);
            }
            Identity identity = identity(provider, entry.claims());
            Instant tokenExpiry = Claims.instant(entry.claims(), "exp").orElse(now);
            Instant end = provider.sessionMaxAge().isZero() ? tokenExpiry : now.plus(provider.sessionMaxAge());
            admitted.incrementAndGet();
            return new AuthResult.Admitted(identity,
                    new SessionBinding(binding(realm, provider), null, null, end));
        } catch (InvalidTokenException e) {
            refused.incrementAndGet();
            LOG.debug("workload token refused for provider {}: {}", provider.name(), e.getMessage());
            return new AuthResult.Rejected(e.getMessage());
        } catch (ParseException e) {
            refused.incrementAndGet();
            return new AuthResult.Rejected("token is not a valid JWT");
        } catch (ProviderUnavailableException e) {
            LOG.warn("workload identity provider {} unavailable: {}", provider.name(), e.getMessage());
            return new AuthResult.Unavailable(e.getMessage());
        }
    }

    /**
     * A workload session holds while its provider is configured with the same issuer and audiences; the
     * claims of the login, sealed in the refresh token, stay as they were (the CI platform is not asked again).
     */
    @Override
    public AuthResult recheck(RealmConfig realm, Session session) {
        String source = session.source();
        String name = source != null && source.startsWith(PREFIX) ? source.substring(PREFIX.length()) : null;
        Optional<WorkloadProvider> provider = providers(realm).stream().filter(p -> p.name().equals(name)).findFirst();
        if (provider.isEmpty() || session.kind() != SubjectKind.WORKLOAD) {
            return new AuthResult.Rejected("the workload identity provider of this session is no longer configured;"
                    + " log in again");
        }
        if (!binding(realm, provider.get()).equals(session.binding().credential())) {
            return new AuthResult.Rejected("the workload identity provider " + name + " changed; log in again");
        }
        return new AuthResult.Admitted(session.identity(), session.binding());
    }

    /**
     * Not throttled: a signed ID token cannot be guessed, and CI jobs of many owners share runners' egress
     * addresses and log in under the same fixed name, so one job's refused tokens must not block another's.
     * Refusals stay cheap (keys cached, refetched at most every 30 s) and are counted in the metrics.
     */
    @Override
    public boolean throttled() {
        return false;
    }

    @Override
    public Cost recheckCost(RealmConfig realm, Session session) {
        return Cost.CHEAP;
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric("registry_auth_workload_logins_total", "counter",
                        "Workload ID tokens admitted at login.", admitted::get),
                new Metric("registry_auth_workload_refusals_total", "counter",
                        "Workload ID tokens refused at login (signature, issuer, expiry, audience, claims).",
                        refused::get));
    }

    /** The identity a validated token describes; refused when its claims exceed the bounds. */
    static Identity identity(WorkloadProvider provider, Map<String, Object> claims) throws InvalidTokenException {
        Map<String, Object> kept = new TreeMap<>();
        for (Map.Entry<String, Object> e : claims.entrySet()) {
            Object value = e.getValue();
            if (NOT_KEPT.contains(e.getKey())
                    || !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                continue;
            }
            if (!WorkloadMatch.CLAIM_NAME.matcher(e.getKey()).matches()) {
                throw new InvalidTokenException("token has a claim name that is not letters, digits and '_'");
            }
            if (value instanceof String s && s.length() > MAX_CLAIM_CHARS) {
                throw new InvalidTokenException("token claim " + e.getKey() + " is longer than " + MAX_CLAIM_CHARS
                        + " characters");
            }
            kept.put(e.getKey(), value);
        }
        if (kept.size() > MAX_CLAIMS) {
            throw new InvalidTokenException("token has more than " + MAX_CLAIMS + " claims");
        }
        Object sub = kept.get("sub");
        if (!(sub instanceof String subject) || subject.isEmpty()) {
            throw new InvalidTokenException("token has no sub claim");
        }
        return new Identity(provider.name() + ":" + subject, Set.of(), authenticatorName(provider),
                SubjectKind.WORKLOAD, kept);
    }

    /** The provider whose issuer a JWT names; empty for anything else. Local: nothing is sent anywhere. */
    private static Optional<WorkloadProvider> owner(RealmConfig realm, String token) {
        List<WorkloadProvider> providers = providers(realm);
        if (providers.isEmpty()) {
            return Optional.empty();
        }
        return UnverifiedJwt.parse(token).flatMap(UnverifiedJwt::issuer)
                .flatMap(issuer -> providers.stream().filter(p -> p.issuer().equals(issuer)).findFirst());
    }

    private static List<WorkloadProvider> providers(RealmConfig realm) {
        return realm.source(WorkloadProvider.Providers.class).map(WorkloadProvider.Providers::all).orElse(List.of());
    }

    private static List<String> audiences(RealmConfig realm, WorkloadProvider provider) {
        return provider.audiences().isEmpty() ? List.of(realm.service()) : provider.audiences();
    }

    /** What a session depends on: the provider's issuer and audiences, fingerprinted. */
    private static String binding(RealmConfig realm, WorkloadProvider provider) {
        return RefreshTokens.fingerprint("workload\n" + provider.issuer() + "\n"
                + String.join(",", audiences(realm, provider)));
    }

    private static String fingerprint(RealmConfig realm, WorkloadProvider provider) {
        return String.join("\n", "workload", provider.name(), provider.issuer(),
                String.join(",", audiences(realm, provider)));
    }

    private ProviderSession session(WorkloadProvider provider) throws ProviderUnavailableException {
        SessionKey key = new SessionKey(provider.issuer(), provider.caBundlePem());
        synchronized (sessions) {
            ProviderSession session = sessions.get(key);
            if (session == null) {
                try {
                    session = new ProviderSession(provider.issuer(), provider.caBundlePem(), settings);
                } catch (IllegalArgumentException e) {
                    throw new ProviderUnavailableException("the CA bundle of workload identity provider "
                            + provider.name() + " is not usable: " + e.getMessage());
                }
                sessions.put(key, session);
            }
            return session;
        }
    }
}
