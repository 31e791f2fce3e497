package io.registryauth.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.oidc.CliClient;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.DockerDaemon;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code registry-auth login} end to end with real parts: Keycloak with the repository's example realm
 * (access tokens living 15 s), headless Chromium (a fresh profile per person) signing in on Keycloak's
 * pages, the realm, a real registry, and skopeo finding the credential helper through the containers
 * auth file. The tests run in order and share the sign-ins: alice with the authorization-code flow, bob
 * with the device flow.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoginIT {
    static final String SERVICE = "registry.cli.it";
    static final String ISSUER = "registry-auth-cli-it";
    static final int ACCESS_TOKEN_SECONDS = 15;

    @TempDir
    static Path dir;
    static Keycloak keycloak;
    static Vertx vertx;
    static RegistryProcess registry;
    static Workstation alices;
    static Workstation bobs;
    static OciImages.OciImage image;

    @BeforeAll
    static void start() throws Exception {
        long started = System.nanoTime();
        keycloak = Keycloak.start(ACCESS_TOKEN_SECONDS);
        System.out.printf("LoginIT: Keycloak started in %d s%n", (System.nanoTime() - started) / 1_000_000_000);

        vertx = Vertx.vertx();
        RealmState state = new RealmState();
        HttpServer server = TokenServer.start(vertx, state, TokenServer.Options.defaults()
                        .withAuthenticators(List.of(new HtpasswdAuthenticator(), new OidcAuthenticator())), "127.0.0.1", 0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String tokenUrl = "http://127.0.0.1:" + server.actualPort() + "/token";
        KeyRing keys = KeyRing.of(SigningKey.generate(SigningAlgorithm.ES256, "cli-it", Instant.now(), Duration.ofDays(1)));
        byte[] refreshKey = new byte[32];
        new SecureRandom().nextBytes(refreshKey);
        OidcProvider corp = new OidcProvider("corp", keycloak.issuer(), List.of("registry"), "preferred_username",
                "groups", "", Set.of(), null, null, Duration.ofMinutes(5), null,
                new CliClient("registry-cli", List.of("openid")));
        Policy policy = Policy.compile(List.of(
                new Grant("it/developers", List.of(Subject.group("developers")), List.of("team/**"),
                        Set.of("pull", "push"), false),
                new Grant("it/admins", List.of(Subject.group("admins")), List.of("**"), Set.of("*"), true)));
        state.swap(RealmSnapshot.of(List.of(new RealmConfig("it/cli", SERVICE, ISSUER, tokenUrl, Duration.ofMinutes(5),
                Duration.ZERO, keys, refreshKey, false, Map.of(), policy, List.of(corp)))));
        Path bundle = Files.writeString(dir.resolve("rootcertbundle.pem"), keys.certificateBundlePem());
        registry = RegistryProcess.start(dir.resolve("registry"),
                new RegistryProcess.TokenAuth(tokenUrl, SERVICE, ISSUER, bundle));

        alices = new Workstation(dir.resolve("alice"));
        bobs = new Workstation(dir.resolve("bob"));
        image = OciImages.write(dir.resolve("image"));
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

    static String host() {
        return registry.hostPort();
    }

    static Map<String, Object> session(Workstation machine) throws Exception {
        return JSONObjectUtils.parse(Files.readString(machine.configDir.resolve("sessions")
                .resolve(host().replace(':', '_') + ".json")));
    }

    @Test
    @Order(1)
    void codeFlowLoginSetsUpSkopeoWhichPushesAndPullsThroughAGroupGrant() throws Exception {
        Files.createDirectories(alices.dockerConfigDir);
        Files.writeString(alices.dockerConfigDir.resolve("config.json"),
                "{\"auths\":{\"other.example\":{\"auth\":\"eDp5\"}},\"psFormat\":\"table\"}");

        Workstation.Running login = alices.cli("login", host(), "--no-browser");
        String url = login.awaitStderr(Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/realms/corp/\\S+)"));
        assertThat(url).contains("code_challenge_method=S256").contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A");
        try (Chromium browser = new Chromium(dir.resolve("chromium-alice"))) {
            assertThat(browser.signIn(url, "alice", "alice-password")).contains("Signed in");
        }
        Workstation.Result done = login.await().requireSuccess("login");
        assertThat(done.stdout().strip()).isEqualTo("Logged in to " + host() + " as alice (provider corp)");

        // The clients are set up, what was in docker's config is still there, the store is private.
        Map<String, Object> docker = JSONObjectUtils.parse(Files.readString(alices.dockerConfigDir.resolve("config.json")));
        assertThat(docker).containsEntry("credHelpers", Map.of(host(), "registry-auth")).containsKey("auths")
                .containsEntry("psFormat", "table");
        assertThat(JSONObjectUtils.parse(Files.readString(alices.authFile)))
                .containsEntry("credHelpers", Map.of(host(), "registry-auth"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(alices.configDir))).isEqualTo("rwx------");
        Path sessionFile = alices.configDir.resolve("sessions").resolve(host().replace(':', '_') + ".json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sessionFile))).isEqualTo("rw-------");
        assertThat(Files.isExecutable(alices.bin.resolve("docker-credential-registry-auth"))).isTrue();

        // skopeo finds the helper through the auth file's credHelpers: no --creds anywhere.
        alices.skopeo("copy", "--dest-tls-verify=false", image.reference(), "docker://" + host() + "/team/app:1")
                .requireSuccess("push by alice (group developers)");
        alices.skopeo("copy", "--src-tls-verify=false", "docker://" + host() + "/team/app:1",
                "oci:" + alices.root.resolve("pulled") + ":1").requireSuccess("pull by alice");
        Workstation.Result outside = alices.skopeo("copy", "--dest-tls-verify=false", image.reference(),
                "docker://" + host() + "/other/app:1");
        assertThat(outside.exitCode()).as("push outside the developers' grant: %s", outside.stderr()).isNotZero();

        Workstation.Result status = alices.registryAuth("status", host()).requireSuccess("status");
        assertThat(status.stdout()).contains("alice (provider corp").contains("groups:       developers")
                .contains("access token: expires in");

        String token = alices.registryAuth("token", host(), "--scope", "repository:team/app:pull")
                .requireSuccess("token").stdout().strip();
        assertThat(SignedJWT.parse(token).getJWTClaimsSet().getClaim("access").toString())
                .contains("team/app").contains("pull");

        assertThat(alices.helper("get", "unknown.example:5000"))
                .isEqualTo(new Workstation.Result(1, "credentials not found in native keychain\n", ""));
        assertThat(alices.helper("list", "").stdout()).contains("\"" + host() + "\":\"alice\"");
    }

    @Test
    @Order(2)
    void expiredTokensAreRenewedAndConcurrentGetsShareOneRefresh() throws Exception {
        String first = (String) session(alices).get("accessToken");
        Instant firstExpiry = SignedJWT.parse(first).getJWTClaimsSet().getExpirationTime().toInstant();
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), firstExpiry).toMillis()) + 2_000);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Workstation.Result>> gets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                gets.add(pool.submit(() -> alices.helper("get", host())));
            }
            Set<String> secrets = new java.util.HashSet<>();
            for (Future<Workstation.Result> get : gets) {
                Workstation.Result result = get.get(2, TimeUnit.MINUTES).requireSuccess("concurrent get");
                Map<String, Object> answer = JSONObjectUtils.parse(result.stdout());
                assertThat(answer).containsEntry("ServerURL", host()).containsEntry("Username", "alice");
                secrets.add((String) answer.get("Secret"));
            }
            assertThat(secrets).as("one refresh shared by four gets").hasSize(1);
            assertThat(secrets).doesNotContain(first);
        } finally {
            pool.shutdownNow();
        }

        // The first token is long expired; skopeo still works through the helper's renewed token.
        alices.skopeo("copy", "--dest-tls-verify=false", image.reference(), "docker://" + host() + "/team/app:2")
                .requireSuccess("push after the first access token expired");
        assertThat(session(alices).get("accessToken")).isNotEqualTo(first);
        // podman reads the same auth file's credHelpers and pulls through the helper too.
        alices.podman("pull", "--tls-verify=false", host() + "/team/app:2").requireSuccess("podman pull");
    }

    @Test
    @Order(3)
    void deviceFlowLoginLetsAnAdminPushWhereDevelopersCannot() throws Exception {
        Workstation.Running login = bobs.cli("login", host(), "--device");
        String complete = login.awaitStderr(Pattern.compile("or open: (\\S+)"));
        assertThat(Files.readString(login.stderr)).containsPattern("open \\S+/device and enter the code \\S+");
        try (Chromium browser = new Chromium(dir.resolve("chromium-bob"))) { // a fresh profile: no SSO cookie of alice's
            browser.approveDevice(complete, "bob", "bob-password");
        }
        Workstation.Result done = login.await().requireSuccess("device login");
        assertThat(done.stdout().strip()).isEqualTo("Logged in to " + host() + " as bob (provider corp)");

        bobs.skopeo("copy", "--dest-tls-verify=false", image.reference(), "docker://" + host() + "/other/app:1")
                .requireSuccess("push by bob (group admins)");
    }

    @Test
    @Order(4)
    void afterTheAdminEndsTheSessionsTheHelperSaysToLogInAgain() throws Exception {
        keycloak.endSessions("bob");
        // bob's current access token stays valid until it expires; then the helper must refresh, and cannot.
        Thread.sleep((ACCESS_TOKEN_SECONDS + 2) * 1000L);

        Workstation.Result get = bobs.helper("get", host());
        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.stdout()).contains("registry-auth login " + host()).doesNotContain("eyJ");

        Workstation.Result pull = bobs.skopeo("inspect", "--tls-verify=false", "docker://" + host() + "/other/app:1");
        assertThat(pull.exitCode()).isNotZero();
        assertThat(pull.stderr()).contains("registry-auth login " + host());
    }

    /** Signs {@code machine} in with the authorization-code flow in a fresh browser; returns login's stdout. */
    static String codeFlowLogin(Workstation machine, String user, String browserProfile, String... flags)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("login", host(), "--no-browser"));
        args.addAll(List.of(flags));
        Workstation.Running login = machine.cli(args.toArray(String[]::new));
        String url = login.awaitStderr(Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/realms/corp/\\S+)"));
        try (Chromium browser = new Chromium(dir.resolve(browserProfile))) {
            assertThat(browser.signIn(url, user, user + "-password")).contains("Signed in");
        }
        return login.await().requireSuccess("login of " + user).stdout().strip();
    }

    /**
     * The docker CLI with a private daemon: after login (helper installed into the CLI's only PATH entry,
     * credHelpers in its config.json) push and pull work without docker login, still after the 15 s token
     * expired, are refused after logout, and fail once Keycloak's admin ended the session, the helper then
     * naming `registry-auth login`.
     */
    @Test
    @Order(6)
    void dockerPushesAndPullsWithTheHelperUntilTheSessionEnds() throws Exception {
        try (DockerDaemon docker = DockerDaemon.start(dir.resolve("docker"))) {
            Workstation carols = new Workstation(dir.resolve("docker-user"), docker.configDir(), docker.binDir());
            assertThat(codeFlowLogin(carols, "alice", "chromium-docker-1", "--bin-dir", docker.binDir().toString()))
                    .isEqualTo("Logged in to " + host() + " as alice (provider corp)");
            assertThat(docker.config().getJsonObject("credHelpers").getString(host())).isEqualTo("registry-auth");

            String app = host() + "/team/docker:1";
            docker.importImage(app);
            docker.push(app).requireSuccess("docker push after registry-auth login");
            docker.remove(app).requireSuccess("rmi");
            docker.pull(app).requireSuccess("docker pull after registry-auth login");
            String foreign = host() + "/other/docker:1";
            docker.importImage(foreign);
            assertThat(docker.push(foreign).succeeded()).as("push outside the developers' grant").isFalse();

            Thread.sleep((ACCESS_TOKEN_SECONDS + 3) * 1000L);
            String later = host() + "/team/docker:2";
            docker.importImage(later);
            docker.push(later).requireSuccess("docker push with the first access token expired");
            docker.remove(app).requireSuccess("rmi");
            docker.pull(app).requireSuccess("docker pull with the first access token expired");

            carols.registryAuth("logout", host()).requireSuccess("logout");
            docker.remove(app).requireSuccess("rmi");
            assertThat(docker.pull(app).succeeded()).as("docker pull after registry-auth logout").isFalse();

            codeFlowLogin(carols, "alice", "chromium-docker-2", "--bin-dir", docker.binDir().toString());
            docker.pull(app).requireSuccess("docker pull after a new login");
            keycloak.endSessions("alice");
            Thread.sleep((ACCESS_TOKEN_SECONDS + 2) * 1000L);
            docker.remove(app).requireSuccess("rmi");
            DockerDaemon.Result ended = docker.pull(app);
            assertThat(ended.succeeded()).as("docker pull after the admin ended the session").isFalse();
            // docker 20.10 drops a credential helper's error on pull and push and carries on anonymously, so
            // its own message is only "unauthorized"; the helper, run as docker runs it, says what to do.
            assertThat(ended.stderr()).contains("unauthorized");
            ProcessBuilder asDocker = new ProcessBuilder(docker.binDir().resolve("docker-credential-registry-auth")
                    .toString(), "get").redirectErrorStream(true);
            asDocker.environment().clear();
            asDocker.environment().put("PATH", docker.binDir().toString());
            Process helper = asDocker.start();
            helper.getOutputStream().write(host().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            helper.getOutputStream().close();
            String said = new String(helper.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(helper.waitFor()).isEqualTo(1);
            assertThat(said).contains("has ended").contains("run `registry-auth login " + host() + "`");
        }
    }

    @Test
    @Order(5)
    void logoutRevokesTheSessionAndTheClientsAreRefused() throws Exception {
        String refreshToken = (String) session(alices).get("refreshToken");

        Workstation.Result logout = alices.registryAuth("logout", host()).requireSuccess("logout");
        assertThat(logout.stdout()).contains("Logged out of " + host());
        assertThat(keycloak.refresh("registry-cli", refreshToken)).as("the revoked refresh token")
                .containsEntry("error", "invalid_grant");
        assertThat(JSONObjectUtils.parse(Files.readString(alices.authFile))).doesNotContainKey("credHelpers");
        assertThat(JSONObjectUtils.parse(Files.readString(alices.dockerConfigDir.resolve("config.json"))))
                .doesNotContainKey("credHelpers").containsKey("auths");
        assertThat(alices.helper("get", host()).stdout()).isEqualTo("credentials not found in native keychain\n");

        Workstation.Result pull = alices.skopeo("inspect", "--tls-verify=false", "docker://" + host() + "/team/app:1");
        assertThat(pull.exitCode()).as("pull after logout").isNotZero();
        Workstation.Result podman = alices.podman("pull", "--tls-verify=false", host() + "/team/app:1");
        assertThat(podman.exitCode()).as("podman pull after logout").isNotZero();
    }
}
