package io.registryauth.operator.feed;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.Clients;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.TokenServerOptions;
import io.registryauth.operator.keys.SigningKeyMirror;
import io.registryauth.operator.model.Fixtures;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.http.TokenServer;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static stability: the feed and a real token server on one side of a link to the mock API server that the
 * test cuts. Tokens are issued throughout an outage, a grant changed during it is enforced after it, and a
 * replica started while the link is cut serves from the inputs an earlier run persisted (signing keys from a
 * mounted-Secret directory), says so on /metrics and is ready.
 *
 * <p>The outage lasts {@code registryauth.outage.seconds} (default 10; the two-minute run of
 * docs/reliability.md is {@code -Dregistryauth.outage.seconds=120}).
 */
class StaticStabilityTest {
    private static final OperatorSettings SETTINGS = OperatorSettings.defaults()
            .withPublicRealmUrl("https://auth.example.com/token");
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("registryauth.outage.seconds", 10));
    /** Informers back off up to about half a minute between attempts. */
    private static final Duration RECONNECT = Duration.ofSeconds(90);
    private static final String ALICE = "Basic " + Base64.getEncoder().encodeToString(
            "alice:wonderland".getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @TempDir
    Path dir;
    private KubernetesMockServer server;
    private KubernetesClient direct;
    private ApiProxy proxy;
    private KubernetesClient viaProxy;
    private Vertx vertx;
    private final HttpClient http = HttpClient.newHttpClient();
    private final RegistryAuth auth = registryAuth("registry", "main");
    private Secret signing;
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        direct = server.createClient(Clients::configure);
        proxy = new ApiProxy(server.getPort());
        viaProxy = Clients.configure(new KubernetesClientBuilder().withConfig(new ConfigBuilder(direct.getConfiguration())
                .withMasterUrl("http://127.0.0.1:" + proxy.port()).build())).build();
        vertx = Vertx.vertx();
        direct.resource(Fixtures.htpasswdSecret("registry", Map.of("alice", "wonderland"))).create();
        direct.resource(auth).create();
        signing = direct.resource(Fixtures.signingSecret(auth)).create();
        direct.resource(grant("registry", "alice", "alice", List.of("team-a/**"), RepositoryAction.PULL)).create();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        viaProxy.close();
        proxy.close();
        direct.close();
        server.destroy();
    }

    /** A replica: the feed on {@code client}, a token server on its own state; returns the realm's base URL. */
    private String replica(KubernetesClient client, RealmState state, PersistedSnapshot store) throws Exception {
        RealmFeed feed = RealmFeed.start(client, SETTINGS, state, new RealmProblemSignal(),
                store);
        closing.add(feed);
        replicas.add(feed);
        int port = TokenServer.start(vertx, state, TokenServerOptions.standard(client), "127.0.0.1", 0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
        return "http://127.0.0.1:" + port;
    }

    private final List<RealmFeed> replicas = new java.util.ArrayList<>();

    /**
     * The leader's copy of the signing keys in the operator's namespace, laid out as kubelet mounts a Secret
     * volume: one file per data key, beside a "..data" directory.
     */
    private Path mountedSigningKeys() throws Exception {
        SigningKeyMirror.update(direct, "registry-auth", signing);
        Secret mirror = direct.secrets().inNamespace("registry-auth").withName(SigningKeyMirror.SECRET_NAME).get();
        Path keys = Files.createDirectories(dir.resolve("signing-keys"));
        for (Map.Entry<String, String> entry : mirror.getData().entrySet()) {
            Files.write(keys.resolve(entry.getKey()), Base64.getDecoder().decode(entry.getValue()));
        }
        Files.createDirectories(keys.resolve("..data"));
        return keys;
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> token(String realm, String actions) throws Exception {
        return get(realm + "/token?service=" + Fixtures.SERVICE + "&scope="
                + URLEncoder.encode("repository:team-a/app:" + actions, StandardCharsets.UTF_8), ALICE);
    }

    private Set<String> granted(String realm, String actions) throws Exception {
        HttpResponse<String> response = token(realm, actions);
        if (response.statusCode() != 200) {
            return Set.of("status " + response.statusCode());
        }
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(
                JSON.readTree(response.body()).get("token").asText().split("\\.")[1]));
        Set<String> granted = new LinkedHashSet<>();
        claims.get("access").forEach(entry -> entry.get("actions").forEach(a -> granted.add(a.asText())));
        return granted;
    }

    private double metric(String realm, String name) throws Exception {
        String text = get(realm + "/metrics", null).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(name + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + limit + " waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static BooleanSupplier quietly(java.util.concurrent.Callable<Boolean> check) {
        return () -> {
            try {
                return check.call();
            } catch (Exception e) {
                return false;
            }
        };
    }

    @Test
    void tokensAreIssuedThroughAnOutageAndAGrantChangedDuringItIsEnforcedAfter() throws Exception {
        String realm = replica(viaProxy, new RealmState(), null);
        await("the grant served", RECONNECT, quietly(() -> granted(realm, "pull,push").equals(Set.of("pull"))));

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong issued = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    boolean ok = token(realm, "pull").statusCode() == 200
                            && get(realm + "/readyz", null).statusCode() == 200;
                    (ok ? issued : failed).incrementAndGet();
                    Thread.sleep(10);
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        }, "token-load");
        load.start();
        try {
            proxy.cut();
            RepositoryAccess edited = direct.resources(RepositoryAccess.class).inNamespace("registry")
                    .withName("alice").get();
            edited.getSpec().setActions(List.of(RepositoryAction.PULL, RepositoryAction.PUSH));
            direct.resource(edited).update();

            Thread.sleep(OUTAGE.toMillis());
            assertThat(granted(realm, "pull,push")).as("the last good snapshot serves").containsExactly("pull");
            assertThat(metric(realm, StaticStability.AGE)).as("the snapshot ages through the outage")
                    .isGreaterThan(OUTAGE.toSeconds() / 2.0);

            proxy.restore();
            long restored = System.nanoTime();
            await("the grant changed during the outage enforced", RECONNECT,
                    quietly(() -> granted(realm, "pull,push").equals(Set.of("pull", "push"))));
            System.out.printf("outage of %d s: %d token requests answered, %d failed; the change was enforced %d ms"
                    + " after the link came back%n", OUTAGE.toSeconds(), issued.get(), failed.get(),
                    (System.nanoTime() - restored) / 1_000_000);
            await("the age back to fresh", Duration.ofSeconds(10),
                    quietly(() -> metric(realm, StaticStability.AGE) < 5));
        } finally {
            running.set(false);
            load.join(10_000);
        }
        assertThat(failed.get()).as("token or readiness requests that failed").isZero();
        assertThat(issued.get()).isPositive();
    }

    @Test
    void aReplicaStartedDuringAnOutageServesFromItsPersistedInputs() throws Exception {
        PersistedSnapshot store = new PersistedSnapshot(dir.resolve("snapshot"), mountedSigningKeys(),
                direct.getKubernetesSerialization());
        String first = replica(direct, new RealmState(), store);
        await("the first replica serves", RECONNECT, quietly(() -> granted(first, "pull").equals(Set.of("pull"))));
        await("its inputs persisted", Duration.ofSeconds(15), () -> Files.isRegularFile(store.file()));
        String persisted = Files.readString(store.file());
        assertThat(persisted).contains("registry-users").contains("\"alice\"")
                .as("the signing Secret is read from its volume, never written here")
                .doesNotContain(signing.getMetadata().getName()).doesNotContain("refresh.key");
        replicas.get(0).close();

        proxy.cut();
        RealmState state = new RealmState();
        String restarted = replica(viaProxy, state, store);

        await("the restarted replica is ready", Duration.ofSeconds(15), state::ready);
        assertThat(get(restarted + "/readyz", null).statusCode()).isEqualTo(200);
        assertThat(granted(restarted, "pull")).containsExactly("pull");
        assertThat(metric(restarted, StaticStability.PERSISTED)).isEqualTo(1);
        assertThat(metric(restarted, StaticStability.AGE)).isGreaterThanOrEqualTo(0);
        assertThat(metric(restarted, StaticStability.KEY_REMAINING)).as("the fixture's key lives 30 days")
                .isBetween(29 * 86_400.0, 30 * 86_400.0);
        assertThat(replicas.get(1).servingPersisted()).isTrue();

        proxy.restore();
        await("the API server answers again", RECONNECT, () -> !replicas.get(1).servingPersisted());
        assertThat(metric(restarted, StaticStability.PERSISTED)).isEqualTo(0);
        assertThat(granted(restarted, "pull")).containsExactly("pull");
    }
}
