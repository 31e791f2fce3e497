package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.Programs;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One dev mode as the dev-mode ITs drive it: a temporary work directory holding the manifests and state
 * directories, the dev-mode jar running on them, the real registries its {@code registry.env} files feed, and
 * a Kubernetes client on its kubeconfig. {@link #close} stops all of it and deletes the work directory.
 */
final class DevModeFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofMinutes(2);
    /** The htpasswd user of {@link #writeSeededRegistry}, who may push and pull team-a/**. */
    static final Login SEEDER = new Login("seeder", "seed-password");

    private final Path work;
    private final Path manifests;
    private final Path state;
    private final List<RegistryProcess> registries = new ArrayList<>();
    private final List<Path> registryEnvs = new ArrayList<>();
    private DevModeProcess dev;
    private KubernetesClient api;

    DevModeFixture(String name) throws IOException {
        Programs.require("docker-registry");
        Programs.require("skopeo");
        work = Files.createTempDirectory(name);
        manifests = Files.createDirectories(work.resolve("manifests"));
        state = work.resolve("state");
    }

    Path work() {
        return work;
    }

    Path manifests() {
        return manifests;
    }

    Path state() {
        return state;
    }

    /** Where the dev mode writes the env file of RegistryAuth {@code namespace/name}. */
    Path registryEnv(String namespace, String name) {
        return state.resolve("registries/" + namespace + "/" + name + "/" + RegistryFiles.ENV_FILE);
    }

    /**
     * A registry fed by RegistryAuth {@code namespace/name}'s env file, not started: its address is known
     * before any manifest names it. {@link #startDevMode} starts the ones taken before it; close stops all.
     */
    RegistryProcess registry(String namespace, String name) throws IOException {
        Path env = registryEnv(namespace, name);
        RegistryProcess registry = RegistryProcess.withEnvFile(work.resolve("registry-" + namespace + "-" + name), env);
        registries.add(registry);
        registryEnvs.add(env);
        return registry;
    }

    /**
     * Writes {@code 01-registry.yaml}: RegistryAuth registry/main for {@code service}, naming {@code registry}'s
     * address as the host generated pull Secrets name, with the htpasswd user {@link #SEEDER}.
     */
    void writeSeededRegistry(String service, RegistryProcess registry) throws IOException {
        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, SEEDER.password().toCharArray());
        Files.writeString(manifests.resolve("01-registry.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: registry-users
                  namespace: registry
                stringData:
                  htpasswd: |
                    seeder:%1$s
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: main
                  namespace: registry
                spec:
                  service: %3$s
                  registry: {host: "%2$s"}
                  authentication:
                    htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: seeder
                  namespace: registry
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: seeder}]
                  repositories: ["team-a/**"]
                  actions: [pull, push]
                """.formatted(hash, registry.hostPort(), service));
    }

    /** Starts the dev mode on the manifests, then every registry taken so far once its env file is written. */
    void startDevMode() throws Exception {
        dev = DevModeProcess.start(manifests, state, work.resolve("dev-mode.log"));
        for (int i = 0; i < registries.size(); i++) {
            awaitFile(registryEnvs.get(i));
            registries.get(i).start();
        }
    }

    String realmUrl() {
        return dev.realmUrl();
    }

    /** Everything the dev mode printed so far. */
    String output() throws IOException {
        return dev.output();
    }

    /** A client of the dev mode's embedded API server, built from the kubeconfig it writes. */
    KubernetesClient api() throws Exception {
        if (api == null) {
            // One HTTP client named, so Fabric8 does not pick among the two on the classpath at random.
            api = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
                    .withConfig(Config.fromKubeconfig(Files.readString(awaitFile(state.resolve("kubeconfig")))))
                    .build();
        }
        return api;
    }

    /** Waits for the dev mode to write {@code file}; fails early if it exits. */
    Path awaitFile(Path file) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.isRegularFile(file)) {
            if (System.nanoTime() > deadline || !dev.process().isAlive()) {
                throw new AssertionError(file + " was not written; dev mode said:\n" + dev.output());
            }
            Thread.sleep(100);
        }
        return file;
    }

    /**
     * Asks {@code probe} every {@code interval} until {@code done} accepts its answer, and returns that answer.
     * After {@code timeout} fails with {@code failure}'s description of the last answer and the dev mode's output.
     */
    <T> T await(Duration timeout, Duration interval, Callable<T> probe, Predicate<T> done,
                Function<T, String> failure) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T answer = probe.call();
        while (!done.test(answer)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.apply(answer) + "; dev mode said:\n" + dev.output());
            }
            Thread.sleep(interval.toMillis());
            answer = probe.call();
        }
        return answer;
    }

    /** Fails with skopeo's words, the registries' logs and the dev mode's output when skopeo failed. */
    void assertSucceeded(Skopeo.Result result) throws IOException {
        assertThat(result.succeeded()).as("skopeo failed:%n%s%n%s", result.stderr(), failureContext()).isTrue();
    }

    private String failureContext() throws IOException {
        StringBuilder context = new StringBuilder();
        for (RegistryProcess registry : registries) {
            context.append("registry ").append(registry.hostPort()).append(" log:\n").append(registry.logText());
        }
        return context.append("dev mode said:\n").append(dev == null ? "" : dev.output()).toString();
    }

    /** Stops the dev mode, if it was started, and returns everything it printed. */
    Optional<String> stopDevMode() throws Exception {
        if (dev == null) {
            return Optional.empty();
        }
        dev.close();
        return Optional.of(dev.output());
    }

    @Override
    public void close() throws Exception {
        if (api != null) {
            api.close();
        }
        for (RegistryProcess registry : registries) {
            registry.close();
        }
        if (dev != null) {
            dev.close();
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
