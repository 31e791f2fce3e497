package io.registryauth.realm.auth.oidc;

import com.nimbusds.jwt.JWT;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts an OAuth2/OIDC provider's access token as the docker password.
 *
 * <p>Ownership ({@link #claim}): a password that is a JWT naming a configured issuer belongs to that
 * provider alone; any other JWT belongs to no provider. An opaque bearer token that no other source owns
 * belongs to the introspecting provider the docker username names (its prefix or one of its fixed
 * usernames); one no username names is left over for the only introspecting provider there is (a
 * directory's bare names come first), and when that is ambiguous it is shown to none. Providers
 * configured for introspection check their tokens by RFC 7662 introspection, JWT or not (the provider then
 * decides about revoked tokens and disabled users); the others validate JWTs locally against the
 * provider's published keys. The audience is always checked (default: the realm's service).
 *
 * <p>Identities are named {@code <prefix><user>} and groups {@code <prefix><group>} (default prefix
 * {@code <provider>:}), and carry {@code oidc:<provider>} as their source. User names starting with
 * {@code system:} are Kubernetes' and are refused. Sessions remember the login's identity and groups and,
 * for introspecting providers, the access token itself (sealed in the refresh token), so any replica can ask
 * the provider again every {@code recheckInterval} while the token lives; after that, and for providers
 * without introspection, the session lasts until {@code sessionMaxAge}.
 */
public final class OidcAuthenticator implements Authenticator {
    public static final String NAME = "oidc";
    private static final String PREFIX = NAME + ":";
    private static final String INVALID = "invalid username or password";
    private static final String RESERVED_PREFIX = "system:";
    private static final Logger LOG = LoggerFactory.getLogger(OidcAuthenticator.class);
    /** RFC 6750 b64token: what an opaque bearer token looks like; other passwords are not sent to a provider. */
    private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]{16,}=*");
    private static final int MAX_SESSIONS = 64;

    /**
     * Tunables; {@link #defaults()} is what production runs.
     *
     * @param jwksRefetchFloor least time between two key-set fetches of one provider
     * @param cacheMaxAge      longest reuse of a validation (also bounded by the token's expiry)
     */
    public record Settings(Clock clock, Duration connectTimeout, Duration requestTimeout, Duration clockLeeway,
                           Duration cacheMaxAge, int cacheEntries, Duration jwksRefetchFloor,
                           Duration discoveryMaxAge) {
        public static Settings defaults() {
            return new Settings(Clock.systemUTC(), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(30),
                    Duration.ofMinutes(5), 10_000, Duration.ofSeconds(30), Duration.ofHours(1));
        }

        public Settings withClock(Clock newClock) {
            return new Settings(newClock, connectTimeout, requestTimeout, clockLeeway, cacheMaxAge, cacheEntries,
                    jwksRefetchFloor, discoveryMaxAge);
        }

        public Settings withTimeouts(Duration connect, Duration request) {
            return new Settings(clock, connect, request, clockLeeway, cacheMaxAge, cacheEntries,
                    jwksRefetchFloor, discoveryMaxAge);
        }
    }

    private record SessionKey(String issuer, String caBundlePem) {
    }

    /** The provider that owns a password, whether as a leftover opaque token, and the JWT if it is one. */
    private record Owner(OidcProvider provider, boolean leftover, JWT jwt) {
    }

    private final Settings settings;
    private final ValidationCache cache;
    private final Map<SessionKey, ProviderSession> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SessionKey, ProviderSession> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    public OidcAuthenticator() {
        this(Settings.defaults());
    }

    public OidcAuthenticator(Settings settings) {
        this.settings = settings;
        this.cache = new ValidationCache(settings.cacheEntries());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The source recorded in identities this provider admits. */
    public static String authenticatorName(OidcProvider provider) {
        return PREFIX + provider.name();
    }

    @Override
    public Claim claim(RealmConfig realm, Credentials credentials) {
        return owner(realm, credentials).map(o -> o.leftover() ? Claim.LEFTOVER : Claim.OWNS).orElse(Claim.NONE);
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        Optional<Owner> owner = owner(realm, credentials);
        if (owner.isEmpty()) {
            return new AuthResult.Rejected(INVALID);
        }
        OidcProvider provider = owner.get().provider();
        String token = credentials.password();
        try {
            ValidationCache.Entry entry = validated(realm, provider, token, owner.get().jwt());
            return admit(provider, entry, credentials.username(), token, settings.clock().instant());
        } catch (InvalidTokenException e) {
            LOG.debug("token refused for provider {}: {}", provider.name(), e.getMessage());
            // An opaque token was routed by the username alone: a specific reason would tell user names apart.
            return new AuthResult.Rejected(owner.get().leftover() ? INVALID : e.getMessage());
        } catch (ProviderUnavailableException e) {
            LOG.warn("identity provider {} unavailable: {}", provider.name(), e.getMessage());
            return new AuthResult.Unavailable(e.getMessage());
        }
    }

    /** CHEAP when the owning provider has a cached verdict on the token; otherwise REMOTE. */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        Optional<Owner> owner = owner(realm, credentials);
        if (owner.isEmpty()) {
            return Cost.CHEAP;
        }
        Instant now = settings.clock().instant();
        return cache.get(ValidationCache.key(fingerprint(realm, owner.get().provider()), credentials.password()), now)
                .isPresent() ? Cost.CHEAP : Cost.REMOTE;
    }

    private static Optional<Owner> owner(RealmConfig realm, Credentials credentials) {
        List<OidcProvider> providers = realm.oidcProviders();
        String token = credentials.password();
        if (providers.isEmpty() || token == null || token.isEmpty()) {
            return Optional.empty();
        }
        Optional<JWT> jwt = UnverifiedJwt.parse(token);
        if (jwt.isPresent()) {
            // A JWT names its issuer: only a provider with that issuer may see it (never a service-account
            // token, a robot password that looks like one, or another provider's token).
            return UnverifiedJwt.issuer(jwt.get()).flatMap(iss -> providers.stream().filter(p -> p.issuer().equals(iss)).findFirst())
                    .map(p -> new Owner(p, false, jwt.get()));
        }
        if (!BEARER_TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        List<OidcProvider> introspecting = providers.stream().filter(p -> p.introspection() != null).toList();
        String username = credentials.username();
        List<OidcProvider> named = introspecting.stream().filter(p -> p.fixedUsernames().contains(username)
                || (!p.usernamePrefix().isEmpty() && username.startsWith(p.usernamePrefix()))).toList();
        if (named.size() == 1) {
            // The user name names the provider: the token is its own, before any directory's bare names.
            return Optional.of(new Owner(named.get(0), false, null));
        }
        return named.isEmpty() && introspecting.size() == 1
                ? Optional.of(new Owner(introspecting.get(0), true, null)) : Optional.empty();
    }

    /**
     * A session lasts while its provider is configured with the same issuer and prefix. While the login's
     * access token lives, an introspecting provider is asked again at most every recheck interval (on any
     * replica: the token travels in the session); a refusal ends the session, an unreachable provider makes
     * the request a 503. Once the token is past asking, and for providers without introspection, the
     * identity and groups last confirmed hold until the session's end ({@code sessionMaxAge}).
     */
    @Override
    public AuthResult recheck(RealmConfig realm, Session session) {
        Optional<OidcProvider> configured = providerName(session.source()).flatMap(name -> configured(realm, name));
        if (configured.isEmpty()) {
            return new AuthResult.Rejected("the identity provider of this session is no longer configured; log in again");
        }
        OidcProvider provider = configured.get();
        if (!RefreshTokens.fingerprint(provider.issuer()).equals(session.binding().credential())
                || !session.subject().startsWith(provider.usernamePrefix())) {
            return new AuthResult.Rejected("the identity provider " + provider.name() + " changed; log in again");
        }
        Instant now = settings.clock().instant();
        if (!canAsk(provider, session, now)) {
            return new AuthResult.Admitted(session.identity(), session.binding());
        }
        String token = session.binding().remoteToken();
        String key = ValidationCache.key(fingerprint(realm, provider), token);
        try {
            Optional<ValidationCache.Entry> recent = confirmedRecently(provider, key, now);
            ValidationCache.Entry entry = recent.isPresent() ? recent.get() : introspected(realm, provider, token, now);
            Identity current = identityOf(provider, entry);
            if (!current.name().equals(session.subject())) {
                return new AuthResult.Rejected("the identity provider names another user now; log in again");
            }
            if (recent.isEmpty()) {
                cache.put(key, entry);
            }
            return new AuthResult.Admitted(current, session.binding());
        } catch (InvalidTokenException e) {
            return new AuthResult.Rejected("the identity provider no longer accepts this login (" + e.getMessage()
                    + "); log in again");
        } catch (ProviderUnavailableException e) {
            LOG.warn("identity provider {} unavailable while re-checking {}: {}", provider.name(), session.subject(),
                    e.getMessage());
            return new AuthResult.Unavailable(e.getMessage());
        }
    }

    /** REMOTE only when the provider must be asked again: its login token still alive and not confirmed lately. */
    @Override
    public Cost recheckCost(RealmConfig realm, Session session) {
        Optional<OidcProvider> provider = providerName(session.source()).flatMap(name -> configured(realm, name));
        Instant now = settings.clock().instant();
        if (provider.isEmpty() || !canAsk(provider.get(), session, now)) {
            return Cost.CHEAP;
        }
        String key = ValidationCache.key(fingerprint(realm, provider.get()), session.binding().remoteToken());
        return confirmedRecently(provider.get(), key, now).isPresent() ? Cost.CHEAP : Cost.REMOTE;
    }

    /** Whether the provider can still be asked about the session's login token. */
    private static boolean canAsk(OidcProvider provider, Session session, Instant now) {
        SessionBinding binding = session.binding();
        return provider.introspection() != null && binding.remoteToken() != null
                && binding.remoteTokenExpiresAt() != null && now.isBefore(binding.remoteTokenExpiresAt());
    }

    private Optional<ValidationCache.Entry> confirmedRecently(OidcProvider provider, String key, Instant now) {
        return cache.get(key, now).filter(e -> now.isBefore(e.verifiedAt().plus(provider.recheckInterval())));
    }

    /** The provider that admitted an identity of this authenticator's; empty for another source's. */
    private static Optional<String> providerName(String source) {
        return source == null || !source.startsWith(PREFIX) ? Optional.empty()
                : Optional.of(source.substring(PREFIX.length()));
    }

    private static Optional<OidcProvider> configured(RealmConfig realm, String providerName) {
        return realm.oidcProviders().stream().filter(p -> p.name().equals(providerName)).findFirst();
    }

    /** The cached or fresh verdict of one provider on one token. {@code jwt} is null for opaque tokens. */
    private ValidationCache.Entry validated(RealmConfig realm, OidcProvider provider, String token, JWT jwt)
            throws InvalidTokenException, ProviderUnavailableException {
        Instant now = settings.clock().instant();
        String key = ValidationCache.key(fingerprint(realm, provider), token);
        Optional<ValidationCache.Entry> cached = cache.get(key, now);
        if (cached.isPresent()) {
            return cached.get();
        }
        ValidationCache.Entry entry;
        if (provider.introspection() != null) {
            entry = introspected(realm, provider, token, now);
        } else {
            if (!(jwt instanceof SignedJWT signed)) {
                throw new InvalidTokenException("unsigned tokens are not accepted");
            }
            Map<String, Object> claims = JwtValidator.validate(signed, provider, audiences(realm, provider),
                    session(provider), now, settings.clockLeeway());
            entry = entry(provider, claims, now);
        }
        cache.put(key, entry);
        return entry;
    }

    private ValidationCache.Entry introspected(RealmConfig realm, OidcProvider provider, String token, Instant now)
            throws InvalidTokenException, ProviderUnavailableException {
        Map<String, Object> answer = session(provider).introspect(token, provider.introspection());
        if (!Boolean.TRUE.equals(answer.get("active"))) {
            throw new InvalidTokenException("access token is not active");
        }
        Object issuer = answer.get("iss");
        if (issuer != null && !provider.issuer().equals(issuer)) {
            throw new InvalidTokenException("token issuer is not " + provider.issuer());
        }
        JwtValidator.checkLifetime(Claims.instant(answer, "exp").orElse(null), Claims.instant(answer, "nbf").orElse(null),
                now, settings.clockLeeway());
        JwtValidator.checkAudience(audiences(realm, provider), Claims.audiences(answer));
        return entry(provider, answer, now);
    }

    /** The audiences a token must name: the configured ones, else the realm's own service. */
    private static List<String> audiences(RealmConfig realm, OidcProvider provider) {
        return provider.audiences().isEmpty() ? List.of(realm.service()) : provider.audiences();
    }

    private ValidationCache.Entry entry(OidcProvider provider, Map<String, Object> claims, Instant now) {
        Instant until = now.plus(settings.cacheMaxAge());
        Optional<Instant> expiry = Claims.instant(claims, "exp");
        if (expiry.isPresent() && expiry.get().isBefore(until)) {
            until = expiry.get();
        }
        return new ValidationCache.Entry(provider.name(), claims, now, until);
    }

    /**
     * The caller as the token names them, if the docker username agrees, with the session bound to the
     * provider's issuer and, for introspecting providers, to the token itself (so any replica can ask
     * about it again); the session ends at {@code sessionMaxAge}, or with the token when that is zero.
     */
    private AuthResult admit(OidcProvider provider, ValidationCache.Entry entry, String username, String token,
                             Instant now) throws InvalidTokenException {
        Identity identity = identityOf(provider, entry);
        String bare = identity.name().substring(provider.usernamePrefix().length());
        if (!identity.name().equals(username) && !bare.equals(username) && !provider.fixedUsernames().contains(username)) {
            throw new InvalidTokenException("username does not match the token's user");
        }
        Instant tokenExpiry = Claims.instant(entry.claims(), "exp").orElse(now);
        Instant end = provider.sessionMaxAge().isZero() ? tokenExpiry : now.plus(provider.sessionMaxAge());
        boolean askable = provider.introspection() != null && tokenExpiry.isAfter(now);
        return new AuthResult.Admitted(identity, new SessionBinding(RefreshTokens.fingerprint(provider.issuer()),
                askable ? token : null, askable ? tokenExpiry : null, end));
    }

    private Identity identityOf(OidcProvider provider, ValidationCache.Entry entry) throws InvalidTokenException {
        String name = identityName(provider, entry).orElseThrow(() ->
                new InvalidTokenException("token has no " + provider.usernameClaim() + " claim"));
        if (name.startsWith(RESERVED_PREFIX)) {
            throw new InvalidTokenException("user names starting with " + RESERVED_PREFIX + " are Kubernetes' own");
        }
        Set<String> groups = new LinkedHashSet<>();
        for (String group : Claims.strings(entry.claims(), provider.groupsClaim())) {
            groups.add(provider.usernamePrefix() + group);
        }
        return new Identity(name, groups, authenticatorName(provider), SubjectKind.USER);
    }

    private static Optional<String> identityName(OidcProvider provider, ValidationCache.Entry entry) {
        return Claims.string(entry.claims(), provider.usernameClaim()).map(user -> provider.usernamePrefix() + user);
    }

    /** What decides a provider's verdict on a token; the cache forgets verdicts when any of it changes. */
    private static String fingerprint(RealmConfig realm, OidcProvider provider) {
        return String.join("\n", provider.name(), provider.issuer(), String.join(",", audiences(realm, provider)),
                provider.introspection() == null ? "jwks" : "introspection:" + provider.introspection().clientId());
    }

    private ProviderSession session(OidcProvider provider) throws ProviderUnavailableException {
        SessionKey key = new SessionKey(provider.issuer(), provider.caBundlePem());
        synchronized (sessions) {
            ProviderSession session = sessions.get(key);
            if (session == null) {
                try {
                    session = new ProviderSession(provider.issuer(), provider.caBundlePem(), settings);
                } catch (IllegalArgumentException e) {
                    throw new ProviderUnavailableException("the CA bundle of identity provider " + provider.name()
                            + " is not usable: " + e.getMessage());
                }
                sessions.put(key, session);
            }
            return session;
        }
    }
}
