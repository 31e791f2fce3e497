package io.registryauth.operator.feed;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.Clients;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.model.Fixtures;
import io.registryauth.realm.RealmState;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Run by hand (docs/benchmarks.md), not part of {@code mvn verify}: the feed's start-up against two mock API
 * servers, one holding {@code registryauth.bench.good} good grants, the other the same plus
 * {@code registryauth.bench.bad} grants of the wrong type. Rounds alternate between the two, so a busy
 * machine slows both alike. Prints, per round, the time until the realm serves every good grant and the heap
 * the running feed holds (heap after a full GC, less the same once it is closed), and the medians.
 */
class StartupAtScaleBenchmark {
    private static final int GOOD = Integer.getInteger("registryauth.bench.good", 10_000);
    private static final int BAD = Integer.getInteger("registryauth.bench.bad", 1_000);
    private static final int ROUNDS = Integer.getInteger("registryauth.bench.rounds", 9);
    /** The mock server logs every request at INFO; held so the level sticks through System.gc(). */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @Test
    void startUp() throws Exception {
        KubernetesMockServer goodOnly = server();
        KubernetesMockServer withBad = server();
        try (KubernetesClient a = goodOnly.createClient(Clients::configure);
             KubernetesClient b = withBad.createClient(Clients::configure)) {
            fill(a, 0);
            fill(b, BAD);
            Map<String, List<Long>> millis = Map.of("good", new ArrayList<>(), "bad", new ArrayList<>());
            Map<String, List<Long>> megabytes = Map.of("good", new ArrayList<>(), "bad", new ArrayList<>());
            for (int round = 0; round < ROUNDS; round++) {
                for (String which : List.of("good", "bad")) {
                    KubernetesClient client = which.equals("good") ? a : b;
                    RealmState state = new RealmState();
                    long start = System.nanoTime();
                    RealmFeed feed = RealmFeed.start(client, OperatorSettings.defaults(), state);
                    while (state.current().realm(Fixtures.SERVICE).map(r -> r.policy().size()).orElse(0) < GOOD) {
                        Thread.sleep(2);
                    }
                    millis.get(which).add((System.nanoTime() - start) / 1_000_000);
                    // What the running feed holds: the heap with it, less the heap once it is closed.
                    long running = usedHeapAfterGc();
                    feed.close();
                    megabytes.get(which).add((running - usedHeapAfterGc()) / (1024 * 1024));
                }
            }
            System.out.printf("%d good grants: start-up %s ms (median %d), heap held %s MiB (median %d)%n", GOOD,
                    millis.get("good"), median(millis.get("good")), megabytes.get("good"),
                    median(megabytes.get("good")));
            System.out.printf("%d good + %d bad grants: start-up %s ms (median %d), heap held %s MiB (median %d)%n",
                    GOOD, BAD, millis.get("bad"), median(millis.get("bad")), megabytes.get("bad"),
                    median(megabytes.get("bad")));
        } finally {
            goodOnly.destroy();
            withBad.destroy();
        }
    }

    private static KubernetesMockServer server() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return server;
    }

    @SuppressWarnings("unchecked")
    private static void fill(KubernetesClient client, int bad) throws Exception {
        RegistryAuth auth = registryAuth("registry", "main");
        client.resource(Fixtures.htpasswdSecret("registry", Map.of("alice", "wonderland"))).create();
        client.resource(auth).create();
        client.resource(Fixtures.signingSecret(auth)).create();
        ResourceDefinitionContext grants = ResourceDefinitionContext.fromResourceType(RepositoryAccess.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < GOOD + bad; i++) {
            int n = i;
            created.add(pool.submit(() -> {
                RepositoryAccess grant = grant("registry", "g" + n, "user" + n, List.of("team-" + n + "/**"),
                        RepositoryAction.PULL);
                if (n < GOOD) {
                    client.resource(grant).create();
                } else {
                    GenericKubernetesResource wrong = client.getKubernetesSerialization().convertValue(grant,
                            GenericKubernetesResource.class);
                    ((Map<String, Object>) wrong.getAdditionalProperties().get("spec")).put("actions", "pull");
                    client.genericKubernetesResources(grants).inNamespace("registry").resource(wrong).create();
                }
            }));
        }
        for (Future<?> f : created) {
            f.get();
        }
        pool.shutdown();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
