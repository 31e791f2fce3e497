package io.registryauth.operator.feed;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.TokenServerOptions;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.operator.model.Fixtures;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-minute API-server outage of docs/reliability.md, as a registry's users live it: a real
 * {@code docker-registry} trusts the realm of a replica whose only way to the (mock) API server is a link
 * the test cuts for {@code registryauth.outage.seconds} (default 120). Throughout, skopeo pulls an image
 * again and again, each run asking the realm for a new token: none may fail. A grant changed behind the cut
 * (bob may now push) is enforced once the link is back, and not before.
 */
class OutageRegistryIT {
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("registryauth.outage.seconds", 120));
    /** Informers back off up to about half a minute between attempts. */
    private static final Duration RECONNECT = Duration.ofSeconds(90);
    private static final Login ALICE = new Login("alice", "wonderland");
    private static final Login BOB = new Login("bob", "builder");

    /** Held, as java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        // Two audit lines per pull for two minutes would bury the build log.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.registryauth.audit"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    @TempDir
    Path dir;
    private KubernetesMockServer server;
    private KubernetesClient direct;
    private ApiProxy proxy;
    private KubernetesClient viaProxy;
    private Vertx vertx;
    private RealmFeed feed;
    private RegistryProcess registry;

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

        RegistryAuth auth = registryAuth("registry", "main");
        direct.resource(Fixtures.htpasswdSecret("registry", Map.of("alice", "wonderland", "bob", "builder"))).create();
        direct.resource(auth).create();
        Secret signing = direct.resource(Fixtures.signingSecret(auth)).create();
        direct.resource(grant("registry", "alice", "alice", List.of("team-a/**"),
                RepositoryAction.PULL, RepositoryAction.PUSH)).create();
        direct.resource(grant("registry", "bob", "bob", List.of("team-a/**"), RepositoryAction.PULL)).create();

        RealmState state = new RealmState();
        feed = RealmFeed.start(viaProxy, OperatorSettings.defaults(), state, new RealmProblemSignal(), null);
        int port = TokenServer.start(vertx, state, TokenServerOptions.standard(viaProxy), "127.0.0.1", 0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();

        Path bundle = dir.resolve(ResourceNames.BUNDLE_FILE);
        Files.writeString(bundle, SigningKeySecret.keyRing(signing).orElseThrow().certificateBundlePem());
        registry = RegistryProcess.start(Files.createDirectories(dir.resolve("registry")), new RegistryProcess.TokenAuth(
                "http://127.0.0.1:" + port + "/token", Fixtures.SERVICE, ResourceNames.issuer(auth), bundle));
    }

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (feed != null) {
            feed.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        viaProxy.close();
        proxy.close();
        direct.close();
        server.destroy();
    }

    @Test
    void pullsSucceedThroughTheOutageAndAGrantChangedDuringItIsEnforcedAfter() throws Exception {
        Skopeo skopeo = new Skopeo(dir.resolve("skopeo"));
        OciImage image = OciImages.write(dir.resolve("image"));
        String app = registry.docker("team-a/app:v1");
        await("alice pushes once the realm serves her grant", RECONNECT,
                () -> skopeo.copy(image.reference(), null, app, ALICE).succeeded());
        assertThat(skopeo.copy(image.reference(), null, registry.docker("team-a/bob:v1"), BOB).succeeded())
                .as("bob may only pull before the change").isFalse();

        proxy.cut();
        RepositoryAccess bobs = direct.resources(RepositoryAccess.class).inNamespace("registry").withName("bob").get();
        bobs.getSpec().setActions(List.of(RepositoryAction.PULL, RepositoryAction.PUSH));
        direct.resource(bobs).update();

        long end = System.nanoTime() + OUTAGE.toNanos();
        int pulls = 0;
        List<String> failures = new ArrayList<>();
        while (System.nanoTime() < end) {
            Login who = pulls % 2 == 0 ? ALICE : BOB;
            Skopeo.Result pulled = skopeo.inspectRaw(app, who);
            pulls++;
            if (!pulled.succeeded()) {
                failures.add(who.username() + ": " + pulled.stderr());
            }
        }
        Skopeo.Result bobDuring = skopeo.copy(image.reference(), null, registry.docker("team-a/bob:v1"), BOB);

        proxy.restore();
        long restored = System.nanoTime();
        await("bob's push, granted during the outage, enforced once the API server is back", RECONNECT,
                () -> skopeo.copy(image.reference(), null, registry.docker("team-a/bob:v1"), BOB).succeeded());
        System.out.printf("outage of %d s with a real registry: %d skopeo pulls, %d failed; bob's new grant enforced"
                + " %d ms after the link came back%n", OUTAGE.toSeconds(), pulls, failures.size(),
                (System.nanoTime() - restored) / 1_000_000);

        assertThat(failures).as("pulls that failed during the outage").isEmpty();
        assertThat(pulls).isGreaterThan(10);
        assertThat(bobDuring.succeeded()).as("the last good snapshot is served during the outage").isFalse();
        assertThat(skopeo.pull(app, BOB).succeeded()).isTrue();
    }

    private static void await(String what, Duration limit, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + limit + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
