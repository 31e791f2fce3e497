package io.registryauth.realm;

import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.KeyRing;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one registry's realm needs to answer a token request, selected by the request's
 * {@code service}. Immutable: a change builds a new one and swaps the whole snapshot.
 *
 * <p>What each identity source needs lives in {@link #sources}, one value per source keyed by its type
 * ({@link StaticUsers}, {@link Robots}, {@link OidcProviders}, or a type the source's own package
 * defines): a new source adds its own value without touching this record.
 *
 * @param id               where this realm comes from, for logs and metrics (e.g. "registry/main")
 * @param service          the token audience, equal to the registry's auth.token.service
 * @param issuer           the token issuer, equal to the registry's auth.token.issuer
 * @param realmUrl         the URL clients reach this realm at (used in WWW-Authenticate)
 * @param tokenTtl         access-token lifetime
 * @param refreshTtl       refresh-token lifetime; zero means refresh tokens are not issued
 * @param keys             signing keys: the active signer and the ones published beside it
 * @param refreshTokenKeys secret keys (at least 32 bytes each) refresh tokens are sealed with: the first
 *                         seals new ones, every one opens those it sealed
 * @param anonymous        whether requests without credentials get (anonymous-only) tokens
 * @param policy           compiled grants
 * @param sources          what each identity source needs, by the type of its value
 */
public record RealmConfig(String id, String service, String issuer, String realmUrl, Duration tokenTtl,
                          Duration refreshTtl, KeyRing keys, List<byte[]> refreshTokenKeys, boolean anonymous,
                          Policy policy, Map<Class<?>, Object> sources) {

    /** Static users by name (htpasswd). */
    public record StaticUsers(Map<String, StaticUser> byName) {
        public StaticUsers {
            byName = Map.copyOf(byName);
        }
    }

    /** Generated grant credentials by robot name (only password hashes). */
    public record Robots(Map<String, RobotCredentials> byName) {
        public Robots {
            byName = Map.copyOf(byName);
            byName.forEach((name, robot) -> {
                if (!name.equals(robot.name())) {
                    throw new IllegalArgumentException("robot filed under '" + name + "' is named '" + robot.name() + "'");
                }
            });
        }
    }

    /** Identity providers whose access tokens are accepted as passwords. */
    public record OidcProviders(List<OidcProvider> all) {
        public OidcProviders {
            all = List.copyOf(all);
        }
    }

    public RealmConfig {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(policy, "policy");
        refreshTokenKeys = List.copyOf(refreshTokenKeys);
        if (refreshTokenKeys.isEmpty() || refreshTokenKeys.stream().anyMatch(k -> k == null || k.length < 32)) {
            throw new IllegalArgumentException("refresh-token keys must be at least 32 bytes");
        }
        sources = Map.copyOf(sources);
        sources.forEach((type, value) -> {
            if (!type.isInstance(value)) {
                throw new IllegalArgumentException("source value filed under " + type.getSimpleName() + " is a "
                        + value.getClass().getSimpleName());
            }
        });
    }

    /** A realm with static users, identity providers and robots (the sources the token server itself knows). */
    public RealmConfig(String id, String service, String issuer, String realmUrl, Duration tokenTtl,
                       Duration refreshTtl, KeyRing keys, byte[] refreshTokenKey, boolean anonymous,
                       Map<String, StaticUser> users, Policy policy, List<OidcProvider> oidcProviders,
                       Map<String, RobotCredentials> robots) {
        this(id, service, issuer, realmUrl, tokenTtl, refreshTtl, keys, List.of(refreshTokenKey), anonymous, policy,
                Map.of(StaticUsers.class, new StaticUsers(users), OidcProviders.class, new OidcProviders(oidcProviders),
                        Robots.class, new Robots(robots)));
    }

    /** A realm without robots. */
    public RealmConfig(String id, String service, String issuer, String realmUrl, Duration tokenTtl,
                       Duration refreshTtl, KeyRing keys, byte[] refreshTokenKey, boolean anonymous,
                       Map<String, StaticUser> users, Policy policy, List<OidcProvider> oidcProviders) {
        this(id, service, issuer, realmUrl, tokenTtl, refreshTtl, keys, refreshTokenKey, anonymous, users, policy,
                oidcProviders, Map.of());
    }

    /** A realm without identity providers or robots. */
    public RealmConfig(String id, String service, String issuer, String realmUrl, Duration tokenTtl,
                       Duration refreshTtl, KeyRing keys, byte[] refreshTokenKey, boolean anonymous,
                       Map<String, StaticUser> users, Policy policy) {
        this(id, service, issuer, realmUrl, tokenTtl, refreshTtl, keys, refreshTokenKey, anonymous, users, policy,
                List.of());
    }

    /** The value a source keeps in this realm, if the realm has one for it. */
    public <T> Optional<T> source(Class<T> type) {
        return Optional.ofNullable(type.cast(sources.get(type)));
    }

    /** This realm with {@code value} as its source value of that type (replacing any). */
    public RealmConfig with(Object value) {
        Map<Class<?>, Object> next = new HashMap<>(sources);
        next.put(value.getClass(), value);
        return new RealmConfig(id, service, issuer, realmUrl, tokenTtl, refreshTtl, keys, refreshTokenKeys, anonymous,
                policy, next);
    }

    /** This realm with other refresh-token keys (the first seals new tokens). */
    public RealmConfig withRefreshTokenKeys(List<byte[]> keys) {
        return new RealmConfig(id, service, issuer, realmUrl, tokenTtl, refreshTtl, this.keys, keys, anonymous,
                policy, sources);
    }

    /** This realm with another policy (the same grants moved to another instant, for one). */
    public RealmConfig withPolicy(Policy value) {
        return new RealmConfig(id, service, issuer, realmUrl, tokenTtl, refreshTtl, keys, refreshTokenKeys, anonymous,
                value, sources);
    }

    /** The key that seals new refresh tokens. */
    public byte[] refreshTokenKey() {
        return refreshTokenKeys.get(0);
    }

    public Map<String, StaticUser> users() {
        return source(StaticUsers.class).map(StaticUsers::byName).orElse(Map.of());
    }

    public List<OidcProvider> oidcProviders() {
        return source(OidcProviders.class).map(OidcProviders::all).orElse(List.of());
    }

    public Map<String, RobotCredentials> robots() {
        return source(Robots.class).map(Robots::byName).orElse(Map.of());
    }

    public boolean issuesRefreshTokens() {
        return !refreshTtl.isZero() && !refreshTtl.isNegative();
    }

    @Override
    public String toString() {
        return "RealmConfig[id=" + id + ", service=" + service + ", issuer=" + issuer + ", users="
                + users().size() + ", robots=" + robots().size() + ", grants=" + policy.size() + "]";
    }
}
