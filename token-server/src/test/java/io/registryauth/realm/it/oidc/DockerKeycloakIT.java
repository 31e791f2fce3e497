package io.registryauth.realm.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.DockerDaemon;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's core scenario with the real docker CLI: a Keycloak user whose push grant comes from his
 * group logs in with a short-lived Keycloak access token as the password. Docker keeps the realm's refresh
 * token it got at login and uses it for every later push, so pushes must keep the group's grant, and keep
 * working once the provider's access token has expired (a login lasts a working day, an access token
 * seconds). The provider is checked by introspection, so refreshes ask Keycloak again.
 */
class DockerKeycloakIT {
    static final String SERVICE = "registry.docker-keycloak.it";
    static final String ISSUER = "registry-auth-docker-keycloak-it";
    static final String REALM = "docker";
    static final String CLIENT = "docker-cli";
    /** Shorter than the access token's 15 s: the realm re-asks Keycloak both before and after the token expired. */
    static final Duration RECHECK = Duration.ofSeconds(5);
    /** Past both Keycloak's expiry and the realm's clock leeway for provider tokens (30 s). */
    static final Duration PAST_EXPIRY = Duration.ofSeconds(32);

    @TempDir
    static Path dir;
    static KeycloakServer keycloak;
    static Vertx vertx;
    static RegistryProcess registry;
    static DockerDaemon docker;

    @BeforeAll
    static void start() throws Exception {
        keycloak = KeycloakServer.start(KeycloakServer.home(), List.of("docker-realm.json"), REALM);
        System.out.printf("DockerKeycloakIT: Keycloak started in %d ms%n", keycloak.startup().toMillis());

        vertx = Vertx.vertx();
        RealmState state = new RealmState();
        TokenServer.Options defaults = TokenServer.Options.defaults();
        // The operator's sources and order: robots, identity providers, htpasswd users.
        List<Authenticator> chain = List.of(new RobotAuthenticator(), new OidcAuthenticator(), new HtpasswdAuthenticator());
        HttpServer server = TokenServer.start(vertx, state, defaults.withAuthenticators(chain), "127.0.0.1", 0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String tokenUrl = "http://127.0.0.1:" + server.actualPort() + "/token";
        KeyRing keys = KeyRing.of(SigningKey.generate(SigningAlgorithm.ES256, "docker-keycloak-it", Instant.now(),
                Duration.ofDays(1)));
        byte[] refreshKey = new byte[32];
        new SecureRandom().nextBytes(refreshKey);
        OidcProvider provider = new OidcProvider("keycloak", keycloak.issuer(REALM), List.of("registry"),
                "preferred_username", "groups", null, Set.of(),
                new OidcProvider.Introspection("registry-auth", "registry-auth-secret"), null, RECHECK);
        // dave holds nothing of his own: every grant he has comes from his Keycloak group, which the provider's
        // default prefix names keycloak:builders.
        Policy policy = Policy.compile(List.of(new Grant("it/builders", List.of(Subject.group("keycloak:builders")),
                List.of("builders/**"), Set.of("pull", "push"), false)));
        state.swap(RealmSnapshot.of(List.of(new RealmConfig("it/docker-keycloak", SERVICE, ISSUER, tokenUrl,
                Duration.ofMinutes(15), Duration.ofHours(12), keys, refreshKey, false, Map.of(), policy,
                List.of(provider)))));
        Path bundle = Files.writeString(dir.resolve("rootcertbundle.pem"), keys.certificateBundlePem());
        registry = RegistryProcess.start(dir.resolve("registry"),
                new RegistryProcess.TokenAuth(tokenUrl, SERVICE, ISSUER, bundle));

        docker = DockerDaemon.start(dir.resolve("docker"));
        System.out.printf("DockerKeycloakIT: dockerd answered after %d ms%n", docker.startup().toMillis());
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable k = keycloak; AutoCloseable r = registry; AutoCloseable d = docker) {
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Every stage is checked even when an earlier one fails, so one run names each broken part of the
     * scenario (lost groups, a session that ends with the provider's token).
     */
    @Test
    void groupGrantedPushesKeepWorkingAfterTheAccessTokenExpired() throws Exception {
        String host = registry.hostPort();
        String first = host + "/builders/app:1";
        String afterExpiry = host + "/builders/app:2";
        String notGranted = host + "/others/app:1";
        docker.importImage(first);
        docker.importImage(notGranted);

        String accessToken = keycloak.passwordGrant(REALM, CLIENT, "dave", "dave-password");
        Instant expiry = SignedJWT.parse(accessToken).getJWTClaimsSet().getExpirationTime().toInstant();
        docker.login(host, "dave", accessToken).requireSuccess("docker login with a Keycloak access token");
        JsonObject saved = docker.savedAuth(host);
        assertThat(saved).as("config.json entry for %s", host).isNotNull();
        assertThat(saved.getString("identitytoken")).as("the realm's refresh token, which docker uses from now on")
                .isNotBlank();
        assertThat(new String(Base64.getDecoder().decode(saved.getString("auth")), StandardCharsets.UTF_8))
                .as("the access token is not kept").isEqualTo("dave:");

        SoftAssertions softly = new SoftAssertions();
        DockerDaemon.Result pushed = docker.push(first);
        softly.assertThat(pushed.succeeded())
                .as("push to a repository dave's group may push to, through the refresh grant:\n%s", pushed.stderr())
                .isTrue();

        DockerDaemon.Result refused = docker.push(notGranted);
        softly.assertThat(refused.succeeded()).as("push to a repository no grant of dave's covers").isFalse();
        softly.assertThat(refused.stderr() + refused.stdout()).as("docker's reason for the refused push").contains("denied");

        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry.plus(PAST_EXPIRY)).toMillis()));
        assertThat(introspectionSaysActive(accessToken)).as("Keycloak's verdict on the login's access token now")
                .isFalse();
        docker.importImage(afterExpiry);
        DockerDaemon.Result later = docker.push(afterExpiry);
        softly.assertThat(later.succeeded())
                .as("push with the stored refresh token after the access token expired:\n%s", later.stderr())
                .isTrue();
        softly.assertAll();
    }

    /** RFC 7662 introspection as the realm's client: is the token still active at Keycloak? */
    private static boolean introspectionSaysActive(String token) throws Exception {
        String credentials = Base64.getEncoder().encodeToString("registry-auth:registry-auth-secret"
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(keycloak.issuer(REALM)
                        + "/protocol/openid-connect/token/introspect"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + credentials)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("introspection status").isEqualTo(200);
        return Boolean.TRUE.equals(JSONObjectUtils.parse(response.body()).get("active"));
    }
}
