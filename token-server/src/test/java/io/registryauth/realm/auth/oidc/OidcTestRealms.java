package io.registryauth.realm.auth.oidc;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Realm configurations and providers for the authenticator's tests. */
final class OidcTestRealms {
    /** The realm's service: the audience tokens must name unless a provider configures others. */
    public static final String SERVICE = "registry.test";

    private static final KeyRing KEYS = KeyRing.of(SigningKey.generate(SigningAlgorithm.ES256, "oidc-test",
            Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(1)));

    private OidcTestRealms() {
    }

    static RealmConfig realm(OidcProvider... providers) {
        return new RealmConfig("test/oidc", SERVICE, "registry-auth", "https://auth.test/token",
                Duration.ofMinutes(15), Duration.ofDays(1), KEYS, new byte[32], false, Map.of(), Policy.empty(),
                List.of(providers));
    }

    /** A provider validating JWTs locally, groups from {@code groups}. */
    static OidcProvider jwks(String name, String issuer) {
        return new OidcProvider(name, issuer, List.of(), "preferred_username", "groups", "", Set.of(), null, null,
                Duration.ofMinutes(5));
    }

    /** A provider checking every token by introspection with the fake provider's client. */
    static OidcProvider introspecting(String name, String issuer, Duration recheckInterval) {
        return new OidcProvider(name, issuer, List.of(), "preferred_username", "groups", "", Set.of(),
                new OidcProvider.Introspection(FakeIdentityProvider.CLIENT_ID, FakeIdentityProvider.CLIENT_SECRET),
                null, recheckInterval);
    }

    /** The identity a result admitted; fails the test when it is no admission. */
    static Identity identity(AuthResult result) {
        if (!(result instanceof AuthResult.Admitted admitted)) {
            throw new AssertionError("expected an admission, got " + result);
        }
        return admitted.identity();
    }

    /** The session a login starts at {@code now}, as a refresh token would carry it. */
    static Session session(AuthResult result, Instant now) {
        if (!(result instanceof AuthResult.Admitted admitted)) {
            throw new AssertionError("expected an admission, got " + result);
        }
        Instant end = admitted.binding().notAfter() == null ? now.plus(Duration.ofDays(30)) : admitted.binding().notAfter();
        return new Session(admitted.identity(), now, end, admitted.binding());
    }
}
