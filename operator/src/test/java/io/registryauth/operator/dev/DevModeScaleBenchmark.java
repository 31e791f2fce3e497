package io.registryauth.operator.dev;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.Clients;
import io.registryauth.operator.feed.ScaleProbes;
import io.registryauth.realm.it.Programs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Run by hand (docs/benchmarks.md), not part of {@code mvn verify}: the README's dev-mode command on a
 * manifests directory of one RegistryAuth, {@code registryauth.bench.users} htpasswd users and
 * {@code registryauth.bench.grants} grants in files of {@code registryauth.bench.perFile} (one directory per team,
 * as a GitOps repository keeps them). Prints the time from the process start until the last grant is served and
 * until every grant is Ready, how many times the realm was rebuilt, and how long a grant edit takes from the file
 * write until a token carries it ({@code registryauth.bench.changes} edits, each file written whole as an editor
 * or a git checkout does), then how long a checkout changing {@code registryauth.bench.burst} files at once takes
 * to be enforced whole and how many rebuilds it cost.
 *
 * <pre>
 * mvn -B -pl operator -am package -DskipTests
 * mvn -B -pl operator -am verify -Dtest=DevModeScaleBenchmark -Dit.test=NONE \
 *     -Dregistryauth.operator.jar=$PWD/operator/target/registry-auth-operator.jar \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 */
class DevModeScaleBenchmark {
    private static final int GRANTS = Integer.getInteger("registryauth.bench.grants", 10_000);
    private static final int USERS = Integer.getInteger("registryauth.bench.users", 1_000);
    private static final int PER_FILE = Integer.getInteger("registryauth.bench.perFile", 100);
    private static final int CHANGES = Integer.getInteger("registryauth.bench.changes", 100);
    private static final int BURST = Integer.getInteger("registryauth.bench.burst", 50);
    private static final String JAVA = System.getProperty("registryauth.bench.java",
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private static final String JVM_OPTIONS = System.getProperty("registryauth.bench.jvmOptions", "");
    private static final Pattern REBUILT = Pattern.compile("realm registry/main \\(service [^)]*\\) serves");
    private static final String SERVICE = "registry.bench:5000";
    private int port;

    @Test
    void tenThousandGrantsInTheDevMode() throws Exception {
        Path work = Files.createTempDirectory("dev-scale");
        Path manifests = Files.createDirectories(work.resolve("manifests"));
        Path state = work.resolve("state");
        Path log = work.resolve("dev-mode.log");
        writeRegistry(manifests);
        for (int file = 0; file * PER_FILE < GRANTS; file++) {
            Files.writeString(manifests.resolve(String.format("team-%04d.yaml", file)), grants(file, -1));
        }
        port = Programs.freePort();
        List<String> command = new ArrayList<>(List.of(JAVA));
        if (!JVM_OPTIONS.isBlank()) {
            command.addAll(List.of(JVM_OPTIONS.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", DevModeProcess.jar().toString(), "dev", "--manifests", manifests.toString(),
                "--state-dir", state.toString(), "--port", Integer.toString(port)));
        long start = System.nanoTime();
        Process dev = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int last = GRANTS - 1;
            waitFor("the last grant served", dev, () -> granted(last, "pull").contains("\"pull\""));
            long served = System.nanoTime();
            int rebuildsWhenServed = rebuilds(log);
            // The operator's own transport: the JDK client's HTTP/2 upgrade trips over a list this large.
            try (KubernetesClient client = Clients.configure(new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(state.resolve("kubeconfig"))))).build()) {
                ScaleProbes.waitForReady(client, "registry", GRANTS, dev, Duration.ofMillis(20), Duration.ofMillis(500));
            }
            long allReady = System.nanoTime();
            int rebuildsWhenReady = rebuilds(log);
            List<Long> changes = new ArrayList<>();
            for (int i = 0; i < CHANGES; i++) {
                int n = (int) ((long) i * GRANTS / CHANGES + i % PER_FILE) % GRANTS;
                int file = n / PER_FILE;
                Path target = manifests.resolve(String.format("team-%04d.yaml", file));
                Path temp = work.resolve("edit.tmp");
                Files.writeString(temp, grants(file, n));
                long edited = System.nanoTime();
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                waitFor("grant g" + n + " changed", dev, () -> granted(n, "pull,push").contains("\"push\""));
                changes.add((System.nanoTime() - edited) / 1_000_000);
                Files.writeString(temp, grants(file, -1));
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                waitFor("grant g" + n + " changed back", dev, () -> !granted(n, "pull,push").contains("\"push\""));
            }
            // A checkout that changes many files at once: in each, one grant gains push.
            int burstFiles = Math.min(BURST, (GRANTS + PER_FILE - 1) / PER_FILE);
            int rebuildsBeforeBurst = rebuilds(log);
            long burst = System.nanoTime();
            for (int file = 0; file < burstFiles; file++) {
                Path temp = work.resolve("edit.tmp");
                Files.writeString(temp, grants(file, file * PER_FILE + PER_FILE / 2));
                Files.move(temp, manifests.resolve(String.format("team-%04d.yaml", file)),
                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            for (int file = 0; file < burstFiles; file++) {
                int n = file * PER_FILE + PER_FILE / 2;
                waitFor("grant g" + n + " changed in the burst", dev, () -> granted(n, "pull,push").contains("\"push\""));
            }
            System.out.printf("%d files changed at once: all enforced after %d ms, %d rebuilds%n", burstFiles,
                    (System.nanoTime() - burst) / 1_000_000, rebuilds(log) - rebuildsBeforeBurst);
            List<Long> sorted = changes.stream().sorted().toList();
            System.out.printf("%s %s: %d grants in %d files, %d users: last grant served after %d ms (%d rebuilds),"
                            + " all Ready after %d ms (%d rebuilds); %d edits enforced in median %d ms, p99 %d ms, max %d"
                            + " ms (%d rebuilds in all)%n", JAVA, JVM_OPTIONS, GRANTS, (GRANTS + PER_FILE - 1) / PER_FILE,
                    USERS, (served - start) / 1_000_000, rebuildsWhenServed, (allReady - start) / 1_000_000,
                    rebuildsWhenReady, CHANGES, sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)),
                    sorted.get(sorted.size() - 1), rebuilds(log));
            System.out.println("changes (ms): " + changes);
            System.out.println(resident(dev.pid()) + "; log " + log);
        } finally {
            Programs.stop(dev, Duration.ofSeconds(30));
        }
    }

    private static void writeRegistry(Path manifests) throws Exception {
        StringBuilder htpasswd = new StringBuilder();
        // Cost 4 keeps the set-up short; a login is a credential-cache hit after the first whatever the cost.
        for (int i = 0; i < USERS; i++) {
            htpasswd.append("    user").append(i).append(':')
                    .append(BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, ("pw" + i).toCharArray())).append('\n');
        }
        Files.writeString(manifests.resolve("00-registry.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: registry-users
                  namespace: registry
                stringData:
                  htpasswd: |
                %s---
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: main
                  namespace: registry
                spec:
                  service: %s
                  authentication:
                    htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                """.formatted(htpasswd, SERVICE));
    }

    /** The grants of one file; grant {@code pushing} (if in it) also grants push. */
    private static String grants(int file, int pushing) {
        StringBuilder out = new StringBuilder();
        IntStream.range(file * PER_FILE, Math.min(GRANTS, (file + 1) * PER_FILE)).forEach(n -> out.append("""
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: g%d
                  namespace: registry
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: user%d}]
                  repositories: ["team-%d/**"]
                  actions: [%s]
                """.formatted(n, n % USERS, n, n == pushing ? "pull, push" : "pull")));
        return out.toString();
    }

    private String granted(int grant, String actions) throws Exception {
        return ScaleProbes.granted("http://127.0.0.1:" + port + "/token", SERVICE, grant % USERS, grant, actions);
    }

    /** How many times the realm was built anew so far (the feed logs each realm it builds). */
    private static int rebuilds(Path log) throws Exception {
        Matcher m = REBUILT.matcher(Files.readString(log, StandardCharsets.UTF_8));
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    private static void waitFor(String what, Process dev, ScaleProbes.Check check) throws Exception {
        ScaleProbes.waitFor(what, dev, Duration.ofMillis(20), check);
    }

    private static String resident(long pid) throws Exception {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        Matcher rss = Pattern.compile("(?m)^VmHWM:\\s*(\\d+) kB").matcher(status);
        return rss.find() ? "peak resident " + Long.parseLong(rss.group(1)) / 1024 + " MiB" : "peak resident ?";
    }
}
