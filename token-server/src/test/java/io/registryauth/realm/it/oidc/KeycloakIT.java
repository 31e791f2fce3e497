package io.registryauth.realm.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OidcAuthenticator} against a real Keycloak: tokens from its password grant, validated locally
 * against its JWKS and through its introspection endpoint, the refusals that matter, and the whole
 * flow through the realm, a real registry and skopeo. Keycloak starts once for the class.
 */
class KeycloakIT {
    static final String E2E_SERVICE = "registry.keycloak.it";
    static final String E2E_ISSUER = "registry-auth-keycloak-it";
    static final String REALM = "registry";
    static final String CLI = "registry-cli";
    static final String SHORT_LIVED_CLI = "registry-cli-short";

    static KeycloakServer keycloak;

    @BeforeAll
    static void start() throws Exception {
        keycloak = KeycloakServer.start(KeycloakServer.home(), List.of("registry-realm.json", "other-realm.json"), REALM);
        System.out.printf("KeycloakIT: Keycloak started in %d ms%n", keycloak.startup().toMillis());
    }

    @AfterAll
    static void stop() throws Exception {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    static OidcProvider jwtProvider() {
        return new OidcProvider("keycloak", keycloak.issuer(REALM), List.of("registry"), "preferred_username", "groups",
                "", Set.of("oauth2accesstoken"), null, null, Duration.ofMinutes(5));
    }

    static OidcProvider introspectionProvider() {
        return new OidcProvider("keycloak", keycloak.issuer(REALM), List.of("registry"), "preferred_username", "groups",
                "", Set.of(), new OidcProvider.Introspection("registry-auth", "registry-auth-secret"), null, Duration.ZERO);
    }

    static RealmConfig realm(OidcProvider provider) {
        KeyRing keys = KeyRing.of(SigningKey.generate(SigningAlgorithm.ES256, "keycloak-it", Instant.now(),
                Duration.ofDays(1)));
        return new RealmConfig("it/keycloak", "registry.it.test", "registry-auth-it", "http://127.0.0.1/token",
                Duration.ofMinutes(15), Duration.ofHours(1), keys, new byte[32], false, Map.of(), Policy.empty(),
                List.of(provider));
    }

    static String token(String user) throws Exception {
        return keycloak.passwordGrant(REALM, CLI, user, user + "-password");
    }

    static Identity developer(String name) {
        return new Identity(name, Set.of("developers"), "oidc:keycloak", SubjectKind.USER);
    }

    @Test
    void passwordGrantTokenIsValidatedLocallyWithGroups() throws Exception {
        OidcAuthenticator authenticator = new OidcAuthenticator();
        RealmConfig realm = realm(jwtProvider());
        String token = token("alice");

        assertThat(authenticator.authenticate(realm, new Credentials("alice", token)))
                .isEqualTo(new AuthResult.Admitted(developer("alice")));
        assertThat(authenticator.authenticate(realm, new Credentials("oauth2accesstoken", token)))
                .isEqualTo(new AuthResult.Admitted(developer("alice")));
    }

    @Test
    void passwordGrantTokenIsAcceptedThroughIntrospection() throws Exception {
        OidcAuthenticator authenticator = new OidcAuthenticator();
        RealmConfig realm = realm(introspectionProvider());

        assertThat(authenticator.authenticate(realm, new Credentials("bob", token("bob"))))
                .isEqualTo(new AuthResult.Admitted(developer("bob")));
    }

    @Test
    void expiredTokenIsRefusedBothWays() throws Exception {
        String token = keycloak.passwordGrant(REALM, SHORT_LIVED_CLI, "alice", "alice-password");
        long obtained = System.nanoTime();
        Instant expiry = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
        assertThat(expiry).isBefore(Instant.now().plusSeconds(5));

        // Local validation allows 30 s of clock skew: judge the same token a minute later.
        OidcAuthenticator aMinuteLater = new OidcAuthenticator(OidcAuthenticator.Settings.defaults()
                .withClock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1))));
        assertThat(aMinuteLater.authenticate(realm(jwtProvider()), new Credentials("alice", token)))
                .isEqualTo(new AuthResult.Rejected("token expired"));

        // Keycloak's own judgement, once the two-second lifetime is over.
        Thread.sleep(Math.max(0, 3_000 - (System.nanoTime() - obtained) / 1_000_000));
        assertThat(new OidcAuthenticator().authenticate(realm(introspectionProvider()), new Credentials("alice", token)))
                .isEqualTo(new AuthResult.Rejected("access token is not active"));
    }

    @Test
    void tokenFromAnotherKeycloakRealmIsRefused() throws Exception {
        String foreign = keycloak.passwordGrant("other", CLI, "alice", "alice-password");

        // Its issuer names no configured provider: no provider owns it, not even an introspecting one, so it
        // is shown to nobody and refused as a wrong password.
        assertThat(new OidcAuthenticator().claim(realm(jwtProvider()), new Credentials("alice", foreign)))
                .isEqualTo(Authenticator.Claim.NONE);
        assertThat(new OidcAuthenticator().claim(realm(introspectionProvider()), new Credentials("alice", foreign)))
                .isEqualTo(Authenticator.Claim.NONE);
    }

    @Test
    void tamperedTokenIsRefusedBothWays() throws Exception {
        SignedJWT original = SignedJWT.parse(token("bob"));
        JWTClaimsSet forged = new JWTClaimsSet.Builder(original.getJWTClaimsSet())
                .claim("preferred_username", "alice").build();
        String tampered = original.getHeader().toBase64URL() + "." + Base64URL.encode(forged.toString()) + "."
                + original.getSignature();

        assertThat(new OidcAuthenticator().authenticate(realm(jwtProvider()), new Credentials("alice", tampered)))
                .isEqualTo(new AuthResult.Rejected("token signature is not valid"));
        assertThat(new OidcAuthenticator().authenticate(realm(introspectionProvider()), new Credentials("alice", tampered)))
                .isEqualTo(new AuthResult.Rejected("access token is not active"));
    }

    @Test
    void tokenForAnotherUserNameIsRefused() throws Exception {
        String alices = token("alice");

        assertThat(new OidcAuthenticator().authenticate(realm(jwtProvider()), new Credentials("bob", alices)))
                .isEqualTo(new AuthResult.Rejected("username does not match the token's user"));
        assertThat(new OidcAuthenticator().authenticate(realm(introspectionProvider()), new Credentials("bob", alices)))
                .isEqualTo(new AuthResult.Rejected("username does not match the token's user"));
    }

    @Test
    void disabledUserIsRefusedOnTheNextIntrospectionCheck() throws Exception {
        OidcAuthenticator authenticator = new OidcAuthenticator();
        RealmConfig realm = realm(introspectionProvider());
        String token = keycloak.passwordGrant(REALM, CLI, "carol", "carol-password");
        AuthResult admitted = authenticator.authenticate(realm, new Credentials("carol", token));
        assertThat(admitted).isInstanceOf(AuthResult.Admitted.class);
        AuthResult.Admitted login = (AuthResult.Admitted) admitted;
        assertThat(login.identity()).isEqualTo(new Identity("carol", Set.of("auditors"), "oidc:keycloak", SubjectKind.USER));
        Session carol = new Session(login.identity(), Instant.now(), login.binding().notAfter(), login.binding());

        keycloak.setUserEnabled(REALM, "carol", false);
        try {
            // A refresh-token use re-asks the provider (recheck interval zero here) with the token of carol's
            // login, which the session carries; a second realm instance (another replica) does the same.
            assertThat(authenticator.recheck(realm, carol)).isEqualTo(new AuthResult.Rejected(
                    "the identity provider no longer accepts this login (access token is not active); log in again"));
            assertThat(new OidcAuthenticator().recheck(realm, carol)).isInstanceOf(AuthResult.Rejected.class);
            // A realm that has not seen the token yet asks Keycloak, which refuses it too.
            assertThat(new OidcAuthenticator().authenticate(realm, new Credentials("carol", token)))
                    .isEqualTo(new AuthResult.Rejected("access token is not active"));
        } finally {
            keycloak.setUserEnabled(REALM, "carol", true);
        }
    }

    @Test
    void coldAndCachedValidationTimes() throws Exception {
        Credentials credentials = new Credentials("alice", token("alice"));
        OidcAuthenticator.Settings d = OidcAuthenticator.Settings.defaults();
        OidcAuthenticator.Settings noCache = new OidcAuthenticator.Settings(d.clock(), d.connectTimeout(),
                d.requestTimeout(), d.clockLeeway(), Duration.ZERO, d.cacheEntries(), d.jwksRefetchFloor(),
                d.discoveryMaxAge());
        // Two passes: the first also pays for class loading and JIT compilation in this JVM.
        for (int pass = 1; pass <= 2; pass++) {
            for (OidcProvider provider : List.of(jwtProvider(), introspectionProvider())) {
                timeModes(pass, provider, credentials, noCache);
            }
        }
    }

    private static void timeModes(int pass, OidcProvider provider, Credentials credentials,
                                  OidcAuthenticator.Settings noCache) {
        String mode = provider.introspection() == null ? "JWT/JWKS" : "introspection";
        RealmConfig realm = realm(provider);
        // First token ever: discovery, then the key set (JWT) or the introspection call.
        long first = timeOne(() -> new OidcAuthenticator().authenticate(realm, credentials));

        // A token not seen before, provider metadata known: signature check, or one introspection round trip.
        OidcAuthenticator uncached = new OidcAuthenticator(noCache);
        timeOne(() -> uncached.authenticate(realm, credentials));
        int rounds = 300;
        long uncachedTotal = 0;
        for (int i = 0; i < rounds; i++) {
            uncachedTotal += timeOne(() -> uncached.authenticate(realm, credentials));
        }

        OidcAuthenticator cached = new OidcAuthenticator();
        for (int i = 0; i < 5_000; i++) {
            timeOne(() -> cached.authenticate(realm, credentials)); // let the JIT compile the hit path first
        }
        int cachedRounds = 20_000;
        long cachedTotal = 0;
        for (int i = 0; i < cachedRounds; i++) {
            cachedTotal += timeOne(() -> cached.authenticate(realm, credentials));
        }
        System.out.printf("KeycloakIT timing pass %d (%s): first token %.1f ms; uncached %.3f ms mean over %d;"
                        + " cached %.1f us mean over %d%n", pass, mode, first / 1e6, uncachedTotal / 1e6 / rounds,
                rounds, cachedTotal / 1e3 / cachedRounds, cachedRounds);
    }

    /**
     * The whole flow: the realm (htpasswd then OIDC in its chain) in front of a real registry; alice pushes
     * with her Keycloak access token as the password, bob pulls through his group, and the realm refuses
     * what it must.
     */
    @Test
    void pushWithAnAccessTokenAndPullAsAGroupMember(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            RealmState state = new RealmState();
            TokenServer.Options options = TokenServer.Options.defaults()
                    .withAuthenticators(List.of(new HtpasswdAuthenticator(), new OidcAuthenticator()));
            HttpServer server = TokenServer.start(vertx, state, options, "127.0.0.1", 0)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            String tokenUrl = "http://127.0.0.1:" + server.actualPort() + "/token";
            KeyRing keys = KeyRing.of(SigningKey.generate(SigningAlgorithm.ES256, "keycloak-e2e", Instant.now(),
                    Duration.ofDays(1)));
            byte[] refreshKey = new byte[32];
            new SecureRandom().nextBytes(refreshKey);
            Policy policy = Policy.compile(List.of(
                    new Grant("it/alice", List.of(Subject.user("alice")), List.of("team/**"), Set.of("pull", "push"), false),
                    new Grant("it/developers", List.of(Subject.group("developers")), List.of("team/**"), Set.of("pull"),
                            false)));
            state.swap(RealmSnapshot.of(List.of(new RealmConfig("it/keycloak-e2e", E2E_SERVICE, E2E_ISSUER, tokenUrl,
                    Duration.ofMinutes(15), Duration.ofHours(1), keys, refreshKey, false, Map.of(), policy,
                    List.of(jwtProvider())))));
            Path bundle = Files.writeString(dir.resolve("rootcertbundle.pem"), keys.certificateBundlePem());

            try (RegistryProcess registry = RegistryProcess.start(dir.resolve("registry"),
                    new RegistryProcess.TokenAuth(tokenUrl, E2E_SERVICE, E2E_ISSUER, bundle))) {
                Skopeo skopeo = new Skopeo(dir.resolve("skopeo"));
                OciImage image = OciImages.write(dir.resolve("image"));
                String app = "docker://" + registry.hostPort() + "/team/app:1";
                String alices = token("alice");
                String bobs = token("bob");

                skopeo.copy(image.reference(), null, app, new Login("alice", alices))
                        .requireSuccess("push with alice's access token as the password");

                Path pulled = dir.resolve("pulled");
                skopeo.copy(app, new Login("bob", bobs), "oci:" + pulled + ":1", null)
                        .requireSuccess("pull by bob through the developers group");
                Path layer = pulled.resolve("blobs/sha256/" + image.layerDigest().substring("sha256:".length()));
                assertThat(Files.readAllBytes(layer)).isEqualTo(image.layer());

                OciImage other = OciImages.write(dir.resolve("other"));
                Skopeo.Result bobPush = skopeo.copy(other.reference(), null,
                        "docker://" + registry.hostPort() + "/team/app:2", new Login("bob", bobs));
                assertThat(bobPush.succeeded()).as("push by a pull-only group member: %s", bobPush.stderr()).isFalse();

                Skopeo.Result borrowed = skopeo.inspectRaw(app, new Login("bob", alices));
                assertThat(borrowed.succeeded()).as("alice's token under bob's name").isFalse();
                assertThat(borrowed.stderr()).contains("username does not match the token's user");

                Skopeo.Result tampered = skopeo.inspectRaw(app, new Login("alice", alices.substring(0, alices.length() - 4)
                        + (alices.endsWith("AAAA") ? "BBBB" : "AAAA")));
                assertThat(tampered.succeeded()).as("a tampered token").isFalse();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static long timeOne(java.util.function.Supplier<AuthResult> call) {
        long start = System.nanoTime();
        AuthResult result = call.get();
        long took = System.nanoTime() - start;
        assertThat(result).isInstanceOf(AuthResult.Admitted.class);
        return took;
    }
}
