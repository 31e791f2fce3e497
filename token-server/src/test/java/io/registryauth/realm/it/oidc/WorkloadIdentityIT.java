package io.registryauth.realm.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.WorkloadAuthenticator;
import io.registryauth.realm.auth.oidc.WorkloadProvider;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryHttp;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import io.registryauth.realm.it.TokenClient;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.WorkloadMatch;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI jobs pushing with their ID tokens, end to end: a real Keycloak issues GitHub-shaped and GitLab-shaped
 * tokens (one confidential client per simulated job, its claims set by hard-coded claim mappers: numeric ids,
 * {@code refs/heads/} refs, a sub with a percent-escaped colon, a fork's merge request), the realm validates
 * them against Keycloak's published keys, and a real registry takes or refuses skopeo's pushes.
 */
class WorkloadIdentityIT {
    static final String SERVICE = "registry.workload.it";
    static final String ISSUER = "registry-auth-workload-it";
    static final Duration SESSION_MAX_AGE = Duration.ofHours(1);

    /** The real clock plus an offset the test moves: the realm's time, while the registry keeps real time. */
    static final class ShiftedClock extends Clock {
        volatile Duration offset = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @TempDir
    static Path dir;
    static KeycloakServer keycloak;
    static Vertx vertx;
    static RegistryProcess registry;
    static TokenClient tokens;
    static RegistryHttp http;
    static Skopeo skopeo;
    static OciImage image;
    static final ShiftedClock clock = new ShiftedClock();
    static final List<String> audit = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        keycloak = KeycloakServer.start(KeycloakServer.home(),
                List.of("ci-github-realm.json", "ci-gitlab-realm.json"), "ci-gitlab");
        System.out.printf("WorkloadIdentityIT: Keycloak started in %d ms%n", keycloak.startup().toMillis());
        vertx = Vertx.vertx();
        // A one-second clock leeway instead of the production 30 s, so a two-second token is over in three.
        OidcAuthenticator.Settings d = OidcAuthenticator.Settings.defaults();
        OidcAuthenticator.Settings settings = new OidcAuthenticator.Settings(clock, d.connectTimeout(),
                d.requestTimeout(), Duration.ofSeconds(1), d.cacheMaxAge(), d.cacheEntries(), d.jwksRefetchFloor(),
                d.discoveryMaxAge());
        RealmState state = new RealmState();
        TokenServer.Options options = TokenServer.Options.defaults().withClock(clock).withAudit(audit::add)
                .withAuthenticators(List.of(new WorkloadAuthenticator(settings), new HtpasswdAuthenticator()));
        HttpServer server = TokenServer.start(vertx, state, options, "127.0.0.1", 0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String tokenUrl = "http://127.0.0.1:" + server.actualPort() + "/token";
        KeyRing keys = KeyRing.of(SigningKey.generate(SigningAlgorithm.ES256, "workload-it", Instant.now(),
                Duration.ofDays(1)));
        byte[] refreshKey = new byte[32];
        new SecureRandom().nextBytes(refreshKey);
        state.swap(RealmSnapshot.of(List.of(new RealmConfig("it/workload", SERVICE, ISSUER, tokenUrl,
                Duration.ofMinutes(5), Duration.ofHours(8), keys, refreshKey, false, Map.of(), policy(), List.of())
                .with(new WorkloadProvider.Providers(List.of(
                        new WorkloadProvider("github", keycloak.issuer("ci-github"), List.of(), null, SESSION_MAX_AGE),
                        new WorkloadProvider("gitlab", keycloak.issuer("ci-gitlab"), List.of(), null, SESSION_MAX_AGE)))))));
        Path bundle = Files.writeString(dir.resolve("rootcertbundle.pem"), keys.certificateBundlePem());
        registry = RegistryProcess.start(dir.resolve("registry"),
                new RegistryProcess.TokenAuth(tokenUrl, SERVICE, ISSUER, bundle));
        tokens = new TokenClient(tokenUrl, SERVICE);
        http = new RegistryHttp(registry);
        skopeo = new Skopeo(dir.resolve("skopeo"));
        image = OciImages.write(dir.resolve("image"));
    }

    /** The grants a platform team would write: ten lines of YAML each in a RepositoryAccess. */
    static Policy policy() {
        return Policy.compile(List.of(
                // Every repository of the GitHub owner with numeric id 1001 pushes its own images from main.
                new Grant("ci/github-main", List.of(Subject.workload(new WorkloadMatch("github",
                        Map.of("repository_owner_id", "1001"), Map.of("ref", "refs/heads/main"), null))),
                        List.of("${claims.repository}/**"), Set.of("pull", "push"), false),
                // acme/app's deployment job, by environment (whose name holds a colon).
                new Grant("ci/github-deploy", List.of(Subject.workload(new WorkloadMatch("github",
                        Map.of("repository_id", "5001", "environment", "prod:eu"), Map.of(),
                        "claims.ref_protected == 'true'"))), List.of("deploy/acme-app"), Set.of("push", "pull"), false),
                // GitLab project 42's main branch.
                new Grant("ci/gitlab-main", List.of(Subject.workload(new WorkloadMatch("gitlab",
                        Map.of("project_id", "42"), Map.of("ref", "main"), null))),
                        List.of("${claims.project_path}/**"), Set.of("pull", "push"), false)));
    }

    @AfterEach
    void resetClock() {
        clock.offset = Duration.ZERO;
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    static String job(String realm, String client) throws Exception {
        return keycloak.clientCredentials(realm, client, client + "-secret");
    }

    static Skopeo.Result push(String token, String repositoryAndTag) {
        return skopeo.copy(image.reference(), null, registry.docker(repositoryAndTag), new Login("ci", token));
    }

    @Test
    void keycloakIssuesTheClaimsAsThePlatformsDo() throws Exception {
        JWTClaimsSet github = SignedJWT.parse(job("ci-github", "gh-app-env")).getJWTClaimsSet();
        assertThat(github.getIssuer()).isEqualTo(keycloak.issuer("ci-github"));
        assertThat(github.getAudience()).contains(SERVICE);
        assertThat(github.getStringClaim("repository_owner_id")).isEqualTo("1001");
        assertThat(github.getStringClaim("ref")).isEqualTo("refs/heads/main");
        assertThat(github.getStringClaim("environment")).isEqualTo("prod:eu");
        System.out.printf("WorkloadIdentityIT: GitHub-shaped sub as Keycloak issued it: %s%n", github.getSubject());
        JWTClaimsSet fork = SignedJWT.parse(job("ci-gitlab", "gl-fork-mr")).getJWTClaimsSet();
        assertThat(fork.getStringClaim("project_path")).isEqualTo("mallory/app");
        assertThat(fork.getStringClaim("pipeline_source")).isEqualTo("merge_request_event");
        assertThat(fork.getStringClaim("ref")).isEqualTo("main");
    }

    @Test
    void mainBranchJobPushesItsOwnRepositoryAndTheAuditLineNamesIt() throws Exception {
        String token = job("ci-github", "gh-app-main");
        push(token, "acme/app/api:1").requireSuccess("push by acme/app's main-branch job");
        Skopeo.Result elsewhere = push(token, "acme/other/api:1");
        assertThat(elsewhere.succeeded()).as("acme/app's job pushing acme/other: %s", elsewhere.stderr()).isFalse();

        JsonObject line = audit.stream().map(JsonObject::new)
                .filter(l -> l.getJsonObject("workload") != null && l.getJsonArray("granted").size() > 0)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(line.getString("authenticator")).isEqualTo("workload:github");
        assertThat(line.getJsonObject("workload").getMap()).containsEntry("provider", "github")
                .containsEntry("repository", "acme/app").containsEntry("ref", "refs/heads/main")
                .containsEntry("run_id", "7001").containsEntry("sha", "5b1f0c8e2a9d4c7b8e6f1a2b3c4d5e6f7a8b9c0d");
        synchronized (audit) {
            assertThat(audit).noneMatch(l -> l.contains(token.substring(token.lastIndexOf('.') + 1)));
        }
    }

    @Test
    void anotherBranchRepositoryOwnerOrAudienceIsRefused() throws Exception {
        String featureToken = job("ci-github", "gh-app-feature");
        Skopeo.Result feature = push(featureToken, "acme/app/api:feature");
        assertThat(feature.succeeded()).as("a feature-branch job: %s", feature.stderr()).isFalse();
        // Admitted (a valid job token), granted nothing: the refusal is the grant's, not the login's.
        assertThat(granted(featureToken, "repository:acme/app/api:push")).isEmpty();

        String other = job("ci-github", "gh-other-repo");
        Skopeo.Result otherRepository = push(other, "acme/app/api:other");
        assertThat(otherRepository.succeeded()).as("acme/other's job pushing acme/app").isFalse();
        push(other, "acme/other/api:1").requireSuccess("acme/other's job pushing its own repository");

        String lookalikeToken = job("ci-github", "gh-lookalike-owner");
        Skopeo.Result lookalike = push(lookalikeToken, "acme/app/api:lookalike");
        assertThat(lookalike.succeeded()).as("an owner named acme with another numeric id").isFalse();
        assertThat(granted(lookalikeToken, "repository:acme/app/api:push")).isEmpty();
        assertThat(granted(other, "repository:acme/app/api:push")).isEmpty();
        assertThat(granted(other, "repository:acme/other/api:push")).hasSize(1);

        String githubAudience = job("ci-github", "gh-app-github-audience");
        Skopeo.Result audience = push(githubAudience, "acme/app/api:audience");
        assertThat(audience.succeeded()).as("a token for another audience").isFalse();
        TokenClient.Answer refused = tokens.get(new Login("ci", githubAudience), false,
                "repository:acme/app/api:push");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body().encode()).contains("audience");
    }

    @Test
    void environmentJobIsMatchedOnItsClaimsNotOnTheEscapedSub() throws Exception {
        String token = job("ci-github", "gh-app-env");
        push(token, "deploy/acme-app:1").requireSuccess("acme/app's prod:eu deployment");
        String mainToken = job("ci-github", "gh-app-main");
        Skopeo.Result main = push(mainToken, "deploy/acme-app:2");
        assertThat(main.succeeded()).as("the same repository's job without the environment").isFalse();
        assertThat(granted(mainToken, "repository:deploy/acme-app:push")).isEmpty();
    }

    @Test
    void gitlabMainJobPushesAndAForkMergeRequestIsRefused() throws Exception {
        push(job("ci-gitlab", "gl-app-main"), "acme/app/web:1").requireSuccess("GitLab project 42, main");
        String fork = job("ci-gitlab", "gl-fork-mr");
        assertThat(push(fork, "acme/app/web:fork").succeeded()).as("fork MR pushing the upstream's images").isFalse();
        assertThat(push(fork, "mallory/app/web:fork").succeeded()).as("fork MR pushing its own path").isFalse();
        assertThat(granted(fork, "repository:acme/app/web:push")).isEmpty();
        assertThat(granted(fork, "repository:mallory/app/web:push")).isEmpty();
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        String token = job("ci-github", "gh-app-short");
        JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofSeconds(2));
        waitUntil(claims.getExpirationTime().toInstant().plusSeconds(2));
        TokenClient.Answer answer = tokens.get(new Login("ci", token), false, "repository:acme/app/api:push");
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body().encode()).contains("token expired");
        assertThat(push(token, "acme/app/api:late").succeeded()).isFalse();
    }

    @Test
    void longJobKeepsPushingWithItsRefreshTokenUntilSessionMaxAge() throws Exception {
        String token = job("ci-github", "gh-app-short");
        String scope = "repository:acme/app/cache:pull,push";
        TokenClient.Answer login = tokens.get(new Login("ci", token), true, scope);
        assertThat(login.status()).as(login.body().encode()).isEqualTo(200);
        String refresh = login.refreshToken();
        assertThat(refresh).isNotBlank();

        // The ID token is over; the job goes on.
        waitUntil(SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant().plusSeconds(2));
        assertThat(tokens.get(new Login("ci", token), false, scope).status()).isEqualTo(401);
        TokenClient.Answer later = tokens.refresh(refresh, scope);
        assertThat(later.status()).as(later.body().encode()).isEqualTo(200);
        byte[] layer = ("layer pushed after the ID token expired " + Instant.now()).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> pushed = http.pushBlob("acme/app/cache", layer, OciImages.digest(layer), later.accessToken());
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);

        // Just before sessionMaxAge the session still holds; at it, it ends (the realm's clock moved, at HTTP level).
        clock.offset = SESSION_MAX_AGE.minusMinutes(1);
        assertThat(tokens.refresh(refresh, scope).status()).isEqualTo(200);
        clock.offset = SESSION_MAX_AGE.plusSeconds(1);
        TokenClient.Answer over = tokens.refresh(refresh, scope);
        assertThat(over.status()).isEqualTo(401);
    }

    /** Logs in with the token (it must be admitted) and returns what the realm grants of {@code scope}. */
    static io.vertx.core.json.JsonArray granted(String token, String scope) {
        TokenClient.Answer answer = tokens.get(new Login("ci", token), false, scope);
        assertThat(answer.status()).as(answer.body().encode()).isEqualTo(200);
        return TokenClient.claims(answer.accessToken()).getJsonArray("access");
    }

    private static void waitUntil(Instant instant) throws InterruptedException {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
