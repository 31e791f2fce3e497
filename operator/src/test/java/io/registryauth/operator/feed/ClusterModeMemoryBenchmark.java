package io.registryauth.operator.feed;

import static io.registryauth.operator.model.Fixtures.grant;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.Clients;
import io.registryauth.operator.Main;
import io.registryauth.operator.model.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Run by hand (docs/benchmarks.md), not part of {@code mvn verify}: the operator jar in cluster mode, in a
 * heap of {@code registryauth.bench.heap} (default 256m), on {@code registryauth.bench.java} with
 * {@code registryauth.bench.jvmOptions} (default: this JVM, the serial collector), against a mock API server in another JVM holding one RegistryAuth,
 * {@code registryauth.bench.users} htpasswd users, {@code registryauth.bench.grants} grants and
 * {@code registryauth.bench.robots} robot grants. Prints the time until the last grant is served and until
 * every grant is Ready, the time from a grant edit to its enforcement ({@code registryauth.bench.changes}
 * edits), the heap after each collection (from the GC log) and the process' resident memory.
 *
 * <pre>
 * mvn -B -pl operator -am package -DskipTests
 * mvn -B -pl operator -am verify -Dtest=ClusterModeMemoryBenchmark -Dit.test=NONE \
 *     -Dregistryauth.operator.jar=$PWD/operator/target/registry-auth-operator.jar \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 */
class ClusterModeMemoryBenchmark {
    private static final int GRANTS = Integer.getInteger("registryauth.bench.grants", 10_000);
    private static final int USERS = Integer.getInteger("registryauth.bench.users", 1_000);
    private static final int ROBOTS = Integer.getInteger("registryauth.bench.robots", 100);
    private static final int CHANGES = Integer.getInteger("registryauth.bench.changes", 20);
    private static final String HEAP = System.getProperty("registryauth.bench.heap", "256m");
    /** The JVM that runs the operator, and its options besides the heap (the image's: G1 on Temurin 25). */
    private static final String JAVA = System.getProperty("registryauth.bench.java",
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private static final String JVM_OPTIONS = System.getProperty("registryauth.bench.jvmOptions", "-XX:+UseSerialGC");
    private static final Pattern AFTER_GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @Test
    void operatorInClusterMode() throws Exception {
        Path jar = Path.of(System.getProperty("registryauth.operator.jar", "target/registry-auth-operator.jar"));
        Path work = Files.createTempDirectory("cluster-bench");
        Path gcLog = work.resolve("gc.log");
        Path log = work.resolve("operator.log");
        try (MockApiServerProcess server = MockApiServerProcess.cluster(GRANTS, USERS, ROBOTS);
             KubernetesClient client = Clients.configure(new KubernetesClientBuilder().withConfig(
                     new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).build())).build()) {
            List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx" + HEAP));
            command.addAll(List.of(JVM_OPTIONS.trim().split("\\s+")));
            command.addAll(List.of("-Xlog:gc:file=" + gcLog, "-jar", jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("KUBERNETES_MASTER", server.url());
            env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
            env.put("POD_NAME", "bench-0");
            env.put("POD_NAMESPACE", "registry-auth");
            env.put("LEASE_NAMESPACE", "registry-auth");
            env.put("LOG_LEVEL", "warn");
            // One replica; the mock API server has no authorization API for JOSDK's check of the Lease.
            env.put("LEADER_ELECTION", "false");
            env.put("REALM_PUBLIC_URL", "http://127.0.0.1:" + Main.REALM_PORT + "/token");
            long start = System.nanoTime();
            Process operator = builder.start();
            try {
                int last = GRANTS - 1;
                waitFor("the last grant served", operator, () -> granted(last, "pull").contains("pull"));
                long served = System.nanoTime();
                ScaleProbes.waitForReady(client, "registry", GRANTS + ROBOTS, operator, Duration.ofMillis(100),
                        Duration.ofSeconds(1));
                long allReady = System.nanoTime();
                List<Long> changes = new ArrayList<>();
                for (int i = 0; i < CHANGES; i++) {
                    int n = i * (GRANTS / CHANGES);
                    long edited = System.nanoTime();
                    client.resources(RepositoryAccess.class).inNamespace("registry").withName("g" + n).edit(g -> {
                        g.getSpec().setActions(List.of(RepositoryAction.PULL, RepositoryAction.PUSH));
                        return g;
                    });
                    waitFor("grant g" + n + " changed", operator, () -> granted(n, "pull,push").contains("push"));
                    changes.add((System.nanoTime() - edited) / 1_000_000);
                }
                Thread.sleep(5_000);
                List<Long> sorted = changes.stream().sorted().toList();
                System.out.printf("%d grants, %d users, %d robots, -Xmx%s " + JVM_OPTIONS + ": last grant served after %d ms, all Ready"
                                + " after %d ms; change enforced in %s ms (median %d, max %d)%n", GRANTS, USERS, ROBOTS,
                        HEAP, (served - start) / 1_000_000, (allReady - start) / 1_000_000, changes,
                        sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
                System.out.println(memory(gcLog, operator.pid()));
                System.out.println("operator alive: " + operator.isAlive() + "; GC log " + gcLog + ", log " + log);
            } finally {
                operator.destroy();
                operator.waitFor();
            }
        }
    }

    /** Fills the mock API server (run in its process by {@link MockApiServerProcess#main}). */
    static void fill(KubernetesClient client, int grants, int users, int robots) throws Exception {
        client.resource(Fixtures.registryAuth("registry", "main")).create();
        Map<String, String> passwords = new LinkedHashMap<>();
        for (int i = 0; i < users; i++) {
            passwords.put("user" + i, "pw" + i);
        }
        client.resource(Fixtures.htpasswdSecret("registry", passwords)).create();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < grants + robots; i++) {
            int n = i;
            created.add(pool.submit(() -> client.resource(n < grants
                    ? grant("registry", "g" + n, "user" + (n % users), List.of("team-" + n + "/**"), RepositoryAction.PULL)
                    : Fixtures.robotGrant("registry", "robot" + n, "robot-" + n + "-pull", List.of("robots/" + n + "/**"),
                    RepositoryAction.PULL)).create()));
        }
        for (Future<?> f : created) {
            f.get();
        }
        pool.shutdown();
    }

    private static String granted(int grant, String actions) throws Exception {
        return ScaleProbes.granted("http://127.0.0.1:" + Main.REALM_PORT + "/token", Fixtures.SERVICE, grant % USERS,
                grant, actions);
    }

    private static void waitFor(String what, Process operator, ScaleProbes.Check check) throws Exception {
        ScaleProbes.waitFor(what, operator, Duration.ofMillis(100), check);
    }

    /** Heap after each collection from the GC log (max and last), full collections, and resident memory. */
    private static String memory(Path gcLog, long pid) throws Exception {
        int maxAfter = 0;
        int lastAfter = 0;
        int collections = 0;
        int full = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = AFTER_GC.matcher(line);
            if (m.find()) {
                collections++;
                if (line.contains("Pause Full")) {
                    full++;
                }
                // A young collection that could not promote frees nothing and is followed by a full one.
                if (m.group(1).equals(m.group(2))) {
                    continue;
                }
                lastAfter = Integer.parseInt(m.group(2));
                maxAfter = Math.max(maxAfter, lastAfter);
            }
        }
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        return String.format("heap after GC (collections that freed something): max %d MiB, last %d MiB; %d collections (%d full); %s, %s", maxAfter,
                lastAfter, collections, full, field(status, "VmRSS"), field(status, "VmHWM"));
    }

    private static String field(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(\\d+) kB").matcher(status);
        return m.find() ? name + " " + Long.parseLong(m.group(1)) / 1024 + " MiB" : name + " ?";
    }
}
