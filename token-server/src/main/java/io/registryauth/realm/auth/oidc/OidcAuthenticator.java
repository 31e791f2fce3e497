package io.registryauth.realm.auth.oidc;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.SubjectKind;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * <p>A password that is a JWT naming a configured issuer belongs to that provider alone. Providers
 * configured for introspection check their tokens by RFC 7662 introspection, JWT or not (the provider
 * then decides about revoked tokens and disabled users); the others validate JWTs locally against
 * the provider's published keys. Any other password that has the shape of a bearer token is offered to
 * the introspection-backed providers in configured order. The docker username must name the token's
 * user (with or without the provider's prefix) or be one of the provider's fixed usernames.
 *
 * <p>Identities carry {@code "oidc:<provider name>"} as their authenticator, so {@link #recheck} finds
 * the provider again when a refresh token is used.
 */
public final class OidcAuthenticator implements Authenticator {
    public static final String NAME = "oidc";
    private static final String PREFIX = NAME + ":";
    private static final Logger LOG = LoggerFactory.getLogger(OidcAuthenticator.class);
    /** RFC 6750 b64token: what an opaque bearer token looks like; other passwords are not sent to a provider. */
    private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]{16,}=*");
    private static final Duration DEFAULT_RECHECK = Duration.ofMinutes(5);
    private static final int MAX_SESSIONS = 64;

    /**
     * Tunables; {@link #defaults()} is what production runs.
     *
     * @param jwksRefetchFloor least time between two key-set fetches of one provider
     * @param cacheMaxAge      longest reuse of a validation (also bounded by the token's expiry)
     */
    public record Settings(Clock clock, Duration connectTimeout, Duration requestTimeout, Duration clockLeeway,
                           Duration cacheMaxAge, int cacheEntries, Duration jwksRefetchFloor,
                           Duration discoveryMaxAge, int rememberedIdentities) {
        public static Settings defaults() {
            return new Settings(Clock.systemUTC(), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(30),
                    Duration.ofMinutes(5), 10_000, Duration.ofSeconds(30), Duration.ofHours(1), 10_000);
        }

        public Settings withClock(Clock newClock) {
            return new Settings(newClock, connectTimeout, requestTimeout, clockLeeway, cacheMaxAge, cacheEntries,
                    jwksRefetchFloor, discoveryMaxAge, rememberedIdentities);
        }

        public Settings withTimeouts(Duration connect, Duration request) {
            return new Settings(clock, connect, request, clockLeeway, cacheMaxAge, cacheEntries,
                    jwksRefetchFloor, discoveryMaxAge, rememberedIdentities);
        }
    }

    private record SessionKey(String issuer, String caBundlePem) {
    }

    private final Settings settings;
    private final ValidationCache cache;
    private final LastTokens lastTokens;
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
        this.lastTokens = new LastTokens(settings.rememberedIdentities());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The authenticator recorded in identities this provider admits. */
    public static String authenticatorName(OidcProvider provider) {
        return PREFIX + provider.name();
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        String token = credentials.password();
        List<OidcProvider> providers = realm.oidcProviders();
        if (providers.isEmpty() || token == null || token.isEmpty()) {
            return AuthResult.NOT_MINE;
        }
        String username = credentials.username() == null ? "" : credentials.username();
        Optional<JWT> jwt = parseJwt(token);
        Optional<OidcProvider> named = named(providers, jwt);
        if (named.isPresent()) {
            return judged(named.get(), () -> validated(named.get(), token, jwt.get()), username);
        }
        List<OidcProvider> introspecting = introspecting(providers, token);
        if (introspecting.isEmpty()) {
            return AuthResult.NOT_MINE;
        }
        return firstActive(introspecting, token, username);
    }

    /**
     * CHEAP when the password is not for a provider or every provider it would be shown to has a cached
     * verdict; otherwise REMOTE, as a key-set fetch or an introspection call may be needed.
     */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        String token = credentials.password();
        List<OidcProvider> providers = realm.oidcProviders();
        if (providers.isEmpty() || token == null || token.isEmpty()) {
            return Cost.CHEAP;
        }
        List<OidcProvider> asked = named(providers, parseJwt(token)).map(List::of)
                .orElseGet(() -> introspecting(providers, token));
        Instant now = settings.clock().instant();
        return asked.stream().allMatch(p -> cache.get(ValidationCache.key(fingerprint(p), token), now).isPresent())
                ? Cost.CHEAP : Cost.REMOTE;
    }

    /** The provider a JWT names as its issuer, which alone judges it. */
    private static Optional<OidcProvider> named(List<OidcProvider> providers, Optional<JWT> jwt) {
        return jwt.flatMap(t -> issuer(t)).flatMap(iss ->
                providers.stream().filter(p -> p.issuer().equals(iss)).findFirst());
    }

    /** The introspection-backed providers an unclaimed password is offered to: none unless it looks like a bearer token. */
    private static List<OidcProvider> introspecting(List<OidcProvider> providers, String token) {
        return BEARER_TOKEN.matcher(token).matches()
                ? providers.stream().filter(p -> p.introspection() != null).toList()
                : List.of();
    }

    @Override
    public AuthResult recheck(RealmConfig realm, Identity identity) {
        Optional<String> name = providerName(identity);
        if (name.isEmpty()) {
            return AuthResult.NOT_MINE;
        }
        String providerName = name.get();
        Optional<OidcProvider> configured = configured(realm, providerName);
        if (configured.isEmpty()) {
            return new AuthResult.Rejected("identity provider " + providerName + " is no longer configured; log in again");
        }
        OidcProvider provider = configured.get();
        if (!identity.name().startsWith(provider.usernamePrefix())) {
            return new AuthResult.Rejected("identity provider " + providerName + " changed its user prefix; log in again");
        }
        if (provider.introspection() == null) {
            return new AuthResult.Admitted(identity);
        }
        return recheckWithProvider(provider, identity);
    }

    /** REMOTE only when the provider must be asked again: an introspection-backed identity past its recheck interval. */
    @Override
    public Cost recheckCost(RealmConfig realm, Identity identity) {
        Optional<OidcProvider> introspecting = providerName(identity).flatMap(name -> configured(realm, name))
                .filter(p -> p.introspection() != null);
        return introspecting.isEmpty() || recentlyConfirmed(introspecting.get(), identity, settings.clock().instant())
                ? Cost.CHEAP : Cost.REMOTE;
    }

    /** The provider that admitted an identity of this authenticator's; empty for another authenticator's. */
    private static Optional<String> providerName(Identity identity) {
        return identity.authenticator() == null || !identity.authenticator().startsWith(PREFIX) ? Optional.empty()
                : Optional.of(identity.authenticator().substring(PREFIX.length()));
    }

    private static Optional<OidcProvider> configured(RealmConfig realm, String providerName) {
        return realm.oidcProviders().stream().filter(p -> p.name().equals(providerName)).findFirst();
    }

    /** Whether the provider confirmed this identity less than its recheck interval ago. */
    private boolean recentlyConfirmed(OidcProvider provider, Identity identity, Instant now) {
        Optional<LastTokens.Seen> seen = lastTokens.get(provider.name(), identity.name());
        return seen.isPresent() && now.isBefore(seen.get().confirmedAt().plus(recheckInterval(provider)));
    }

    private static Duration recheckInterval(OidcProvider provider) {
        return provider.recheckInterval() == null ? DEFAULT_RECHECK : provider.recheckInterval();
    }

    /**
     * An introspection-backed identity stays admitted for the recheck interval after the provider last
     * confirmed it; then the provider is asked again with the last access token seen for it. When that
     * token has expired (or was never seen by this process), the provider cannot be asked: log in again.
     */
    private AuthResult recheckWithProvider(OidcProvider provider, Identity identity) {
        Instant now = settings.clock().instant();
        if (recentlyConfirmed(provider, identity, now)) {
            return new AuthResult.Admitted(identity);
        }
        Optional<LastTokens.Seen> seen = lastTokens.get(provider.name(), identity.name());
        if (seen.isEmpty() || !now.isBefore(seen.get().tokenExpiresAt())) {
            lastTokens.forget(provider.name(), identity.name());
            return new AuthResult.Rejected("the identity provider must confirm this user again: log in with a new access token");
        }
        try {
            ValidationCache.Entry entry = introspected(provider, seen.get().token(), now);
            Identity current = identityOf(provider, entry);
            if (!current.name().equals(identity.name())) {
                lastTokens.forget(provider.name(), identity.name());
                return new AuthResult.Rejected("the identity provider names another user now; log in again");
            }
            cache.put(ValidationCache.key(fingerprint(provider), seen.get().token()), entry);
            lastTokens.remember(provider.name(), identity.name(),
                    new LastTokens.Seen(seen.get().token(), seen.get().tokenExpiresAt(), now));
            return new AuthResult.Admitted(current);
        } catch (InvalidTokenException e) {
            lastTokens.forget(provider.name(), identity.name());
            return new AuthResult.Rejected("the identity provider no longer accepts this user (" + e.getMessage() + ")");
        } catch (ProviderUnavailableException e) {
            LOG.warn("identity provider {} unavailable while re-checking {}: {}", provider.name(), identity.name(), e.getMessage());
            return new AuthResult.Unavailable(e.getMessage());
        }
    }

    private interface Validation {
        ValidationCache.Entry run() throws InvalidTokenException, ProviderUnavailableException;
    }

    private AuthResult judged(OidcProvider provider, Validation validation, String username) {
        try {
            return admit(provider, validation.run(), username);
        } catch (InvalidTokenException e) {
            LOG.debug("token refused for provider {}: {}", provider.name(), e.getMessage());
            return new AuthResult.Rejected(e.getMessage());
        } catch (ProviderUnavailableException e) {
            LOG.warn("identity provider {} unavailable: {}", provider.name(), e.getMessage());
            return new AuthResult.Unavailable(e.getMessage());
        }
    }

    /** Opaque tokens: the first provider that calls the token active decides; an unreachable one is a 503, not a 401. */
    private AuthResult firstActive(List<OidcProvider> providers, String token, String username) {
        List<String> unreachable = new ArrayList<>();
        String refusal = "access token is not active";
        for (OidcProvider provider : providers) {
            try {
                return admit(provider, validated(provider, token, null), username);
            } catch (InvalidTokenException e) {
                refusal = e.getMessage();
            } catch (ProviderUnavailableException e) {
                LOG.warn("identity provider {} unavailable: {}", provider.name(), e.getMessage());
                unreachable.add(e.getMessage());
            }
        }
        return unreachable.isEmpty() ? new AuthResult.Rejected(refusal)
                : new AuthResult.Unavailable(String.join("; ", unreachable));
    }

    /** The cached or fresh verdict of one provider on one token. {@code jwt} is null for opaque tokens. */
    private ValidationCache.Entry validated(OidcProvider provider, String token, JWT jwt)
            throws InvalidTokenException, ProviderUnavailableException {
        Instant now = settings.clock().instant();
        String key = ValidationCache.key(fingerprint(provider), token);
        Optional<ValidationCache.Entry> cached = cache.get(key, now);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (jwt != null && !(jwt instanceof SignedJWT)) {
            throw new InvalidTokenException("unsigned tokens are not accepted");
        }
        ValidationCache.Entry entry;
        if (provider.introspection() != null) {
            entry = introspected(provider, token, now);
        } else {
            Map<String, Object> claims = JwtValidator.validate((SignedJWT) jwt, provider, session(provider), now,
                    settings.clockLeeway());
            entry = entry(provider, claims, now);
        }
        cache.put(key, entry);
        if (provider.introspection() != null) {
            Instant tokenExpiry = Claims.instant(entry.claims(), "exp").orElse(Instant.MAX);
            identityName(provider, entry).ifPresent(name ->
                    lastTokens.remember(provider.name(), name, new LastTokens.Seen(token, tokenExpiry, now)));
        }
        return entry;
    }

    private ValidationCache.Entry introspected(OidcProvider provider, String token, Instant now)
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
        JwtValidator.checkAudience(provider, Claims.audiences(answer));
        return entry(provider, answer, now);
    }

    private ValidationCache.Entry entry(OidcProvider provider, Map<String, Object> claims, Instant now) {
        Instant until = now.plus(settings.cacheMaxAge());
        Optional<Instant> expiry = Claims.instant(claims, "exp");
        if (expiry.isPresent() && expiry.get().isBefore(until)) {
            until = expiry.get();
        }
        return new ValidationCache.Entry(provider.name(), claims, now, until);
    }

    private AuthResult admit(OidcProvider provider, ValidationCache.Entry entry, String username)
            throws InvalidTokenException {
        Identity identity = identityOf(provider, entry);
        String bare = identity.name().substring(provider.usernamePrefix().length());
        if (!identity.name().equals(username) && !bare.equals(username) && !provider.fixedUsernames().contains(username)) {
            throw new InvalidTokenException("username does not match the token's user");
        }
        return new AuthResult.Admitted(identity);
    }

    private Identity identityOf(OidcProvider provider, ValidationCache.Entry entry) throws InvalidTokenException {
        String name = identityName(provider, entry).orElseThrow(() ->
                new InvalidTokenException("token has no " + provider.usernameClaim() + " claim"));
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
    private static String fingerprint(OidcProvider provider) {
        return String.join("\n", provider.name(), provider.issuer(), String.join(",", provider.audiences()),
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

    private static Optional<JWT> parseJwt(String token) {
        if (token.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(JWTParser.parse(token));
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> issuer(JWT jwt) {
        try {
            return Optional.ofNullable(jwt.getJWTClaimsSet().getIssuer());
        } catch (ParseException e) {
            return Optional.empty();
        }
    }
}
