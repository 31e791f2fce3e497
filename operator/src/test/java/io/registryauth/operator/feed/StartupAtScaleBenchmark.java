package io.registryauth.operator.feed;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.Clients;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.model.Fixtures;
import io.registryauth.realm.RealmState;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Run by hand (docs/benchmarks.md), not part of {@code mvn verify}: the feed's start-up against two mock API
 * servers, one holding {@code registryauth.bench.good} good grants, the other the same plus
 * {@code registryauth.bench.bad} grants of the wrong type. Rounds alternate between the two (each first in
 * every other round), so a busy machine slows both alike. Prints, per round, the time until the realm serves every good grant and the heap
 * the running feed holds (heap after a full GC while it runs, less the same before it started), and the medians. The two
 * servers run in JVMs of their own ({@link MockApiServerProcess}), so this JVM's heap is the replica's only.
 */
class StartupAtScaleBenchmark {
    private static final int GOOD = Integer.getInteger("registryauth.bench.good", 10_000);
    private static final int BAD = Integer.getInteger("registryauth.bench.bad", 1_000);
    private static final int ROUNDS = Integer.getInteger("registryauth.bench.rounds", 9);
    private static final long SETTLE_MILLIS = 3_000;
    /** The mock server logs every request at INFO; held so the level sticks through System.gc(). */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @Test
    void startUp() throws Exception {
        try (MockApiServerProcess goodOnly = MockApiServerProcess.start(GOOD, 0);
             MockApiServerProcess withBad = MockApiServerProcess.start(GOOD, BAD);
             KubernetesClient a = client(goodOnly);
             KubernetesClient b = client(withBad)) {
            Map<String, List<Long>> millis = Map.of("good", new ArrayList<>(), "bad", new ArrayList<>());
            Map<String, List<Long>> megabytes = Map.of("good", new ArrayList<>(), "bad", new ArrayList<>());
            for (int round = 0; round < ROUNDS; round++) {
                // Each goes first every other round: what one start leaves behind cannot favour the other.
                for (String which : round % 2 == 0 ? List.of("good", "bad") : List.of("bad", "good")) {
                    long before = usedHeapAfterGc();
                    long[] measured = round(which.equals("good") ? a : b);
                    millis.get(which).add(measured[0]);
                    megabytes.get(which).add((measured[1] - before) / (1024 * 1024));
                }
            }
            System.out.printf("%d good grants: start-up %s ms (median %d), heap held %s MiB (median %d)%n", GOOD,
                    millis.get("good"), median(millis.get("good")), megabytes.get("good"),
                    median(megabytes.get("good")));
            System.out.printf("%d good + %d bad grants: start-up %s ms (median %d), heap held %s MiB (median %d)%n",
                    GOOD, BAD, millis.get("bad"), median(millis.get("bad")), megabytes.get("bad"),
                    median(megabytes.get("bad")));
        }
    }

    /**
     * One start: the milliseconds until the realm serves every good grant, and the heap in use (after a full
     * GC) while the feed runs. Nothing of it is reachable once this returns, so the caller's heap before the
     * call is the baseline.
     */
    private static long[] round(KubernetesClient client) throws Exception {
        RealmState state = new RealmState();
        long start = System.nanoTime();
        try (RealmFeed feed = RealmFeed.start(client, OperatorSettings.defaults(), state)) {
            while (state.current().realm(Fixtures.SERVICE).map(r -> r.policy().size()).orElse(0) < GOOD) {
                Thread.sleep(2);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // Measured once the feed is idle: not in the middle of a rebuild, whose garbage-to-be is still live.
            Thread.sleep(SETTLE_MILLIS);
            return new long[] {millis, usedHeapAfterGc()};
        }
    }

    private static KubernetesClient client(MockApiServerProcess server) {
        return Clients.configure(new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url()).withTrustCerts(true).build())).build();
    }

    @SuppressWarnings("unchecked")
    static void fill(KubernetesClient client, int good, int bad) throws Exception {
        RegistryAuth auth = registryAuth("registry", "main");
        client.resource(Fixtures.htpasswdSecret("registry", Map.of("alice", "wonderland"))).create();
        client.resource(auth).create();
        client.resource(Fixtures.signingSecret(auth)).create();
        ResourceDefinitionContext grants = ResourceDefinitionContext.fromResourceType(RepositoryAccess.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < good + bad; i++) {
            int n = i;
            created.add(pool.submit(() -> {
                RepositoryAccess grant = grant("registry", "g" + n, "user" + n, List.of("team-" + n + "/**"),
                        RepositoryAction.PULL);
                if (n < good) {
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
