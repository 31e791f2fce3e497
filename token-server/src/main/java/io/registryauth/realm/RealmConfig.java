package io.registryauth.realm;

import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.KeyRing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one registry's realm needs to answer a token request, selected by the request's
 * {@code service}. Immutable: a change builds a new one and swaps the whole snapshot.
 *
 * @param id              where this realm comes from, for logs and metrics (e.g. "registry/main")
 * @param service         the token audience, equal to the registry's auth.token.service
 * @param issuer          the token issuer, equal to the registry's auth.token.issuer
 * @param realmUrl        the URL clients reach this realm at (used in WWW-Authenticate)
 * @param tokenTtl        access-token lifetime
 * @param refreshTtl      refresh-token lifetime; zero means refresh tokens are not issued
 * @param keys            signing keys: the active signer and the ones published beside it
 * @param refreshTokenKey secret key (at least 32 bytes) that refresh tokens are MACed with
 * @param anonymous       whether requests without credentials get (anonymous-only) tokens
 * @param users           static users by name
 * @param policy          compiled grants
 * @param oidcProviders   identity providers whose access tokens are accepted as passwords
 * @param robots          generated grant credentials by robot name (only password hashes)
 */
public record RealmConfig(String id, String service, String issuer, String realmUrl, Duration tokenTtl,
                          Duration refreshTtl, KeyRing keys, byte[] refreshTokenKey, boolean anonymous,
                          Map<String, StaticUser> users, Policy policy, List<OidcProvider> oidcProviders,
                          Map<String, RobotCredentials> robots) {
    public RealmConfig {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(policy, "policy");
        if (refreshTokenKey == null || refreshTokenKey.length < 32) {
            throw new IllegalArgumentException("refresh-token key must be at least 32 bytes");
        }
        users = Map.copyOf(users);
        oidcProviders = List.copyOf(oidcProviders);
        robots = Map.copyOf(robots);
        robots.forEach((name, robot) -> {
            if (!name.equals(robot.name())) {
                throw new IllegalArgumentException("robot filed under '" + name + "' is named '" + robot.name() + "'");
            }
        });
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

    public boolean issuesRefreshTokens() {
        return !refreshTtl.isZero() && !refreshTtl.isNegative();
    }

    @Override
    public String toString() {
        return "RealmConfig[id=" + id + ", service=" + service + ", issuer=" + issuer + ", users="
                + users.size() + ", robots=" + robots.size() + ", grants=" + policy.size() + "]";
    }
}
