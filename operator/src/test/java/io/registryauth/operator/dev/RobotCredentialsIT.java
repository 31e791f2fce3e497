package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A grant with {@code credentials} and no subjects, through the dev mode and the real registry: the
 * generated dockerconfigjson Secret's robot may pull what the grant names, may not push, and loses both its
 * Secret and its access when the grant's document leaves the manifests.
 */
class RobotCredentialsIT {
    private static final String SEEDER = "seeder:seed-password";
    private static final String NAMESPACE = "registry";
    private static final String SECRET = "team-a-pull";
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path manifests;
    private Path state;
    private DevModeProcess dev;
    private RegistryServer registry;
    private KubernetesClient api;

    @BeforeEach
    void start() throws Exception {
        Programs.require("docker-registry");
        Programs.require("skopeo");
        work = Files.createTempDirectory("robot-credentials-it");
        manifests = Files.createDirectories(work.resolve("manifests"));
        state = work.resolve("state");
        Path env = state.resolve("registries/" + NAMESPACE + "/main/" + RegistryFiles.ENV_FILE);
        // Constructed first: its port is the host the generated Secret must name.
        registry = new RegistryServer(work.resolve("registry"), env);

        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "seed-password".toCharArray());
        Files.writeString(manifests.resolve("01-registry.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: registry-users
                  namespace: %1$s
                stringData:
                  htpasswd: |
                    seeder:%2$s
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: main
                  namespace: %1$s
                spec:
                  service: it-robots
                  registry: {host: "%3$s"}
                  authentication:
                    htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: seeder
                  namespace: %1$s
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: seeder}]
                  repositories: ["team-a/**"]
                  actions: [pull, push]
                """.formatted(NAMESPACE, hash, registry.address()));
        writeRobotGrant();
        dev = DevModeProcess.start(manifests, state, work.resolve("dev-mode.log"));
        awaitFile(env);
        registry.start();
        // One HTTP client named, so Fabric8 does not pick among the two on the classpath at random.
        api = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(Config.fromKubeconfig(Files.readString(awaitFile(state.resolve("kubeconfig")))))
                .build();
    }

    private void writeRobotGrant() throws IOException {
        Files.writeString(manifests.resolve("02-robot-grant.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: team-a-pull
                  namespace: %s
                spec:
                  registry: {name: main}
                  repositories: ["team-a/**"]
                  actions: [pull]
                  credentials: {secretName: %s}
                """.formatted(NAMESPACE, SECRET));
    }

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (dev != null) {
            dev.close();
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void generatedSecretPullsOnlyAndIsRevokedWithTheGrant() throws Exception {
        Skopeo skopeo = new Skopeo(work);
        Path image = OciLayout.write(work.resolve("image"), "v1", "seeded for the robot");
        assertSucceeded(skopeo.push(image, "v1", registry.address(), "team-a/app", SEEDER));

        long start = System.nanoTime();
        Secret secret = awaitSecret();
        System.out.println("pull Secret written " + millis(start) + " ms after the seed push");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        JsonNode auth = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                .path("auths").path(registry.address());
        assertThat(auth.isObject()).as("the Secret names the registry host %s", registry.address()).isTrue();
        String robot = auth.path("username").asText() + ":" + auth.path("password").asText();
        assertThat(auth.path("auth").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(robot.getBytes(StandardCharsets.UTF_8)));

        assertSucceeded(skopeo.pull(registry.address(), "team-a/app", "v1", robot));
        Skopeo.Result push = skopeo.push(image, "v1", registry.address(), "team-a/app", robot);
        assertThat(push.ok()).as("the pull-only robot pushed:%n%s", push.output()).isFalse();
        assertThat(push.output()).containsIgnoringCase("denied");
        Skopeo.Result elsewhere = skopeo.pull(registry.address(), "team-b/app", "v1", robot);
        assertThat(elsewhere.ok()).as("pull outside the grant's repositories").isFalse();

        Files.delete(manifests.resolve("02-robot-grant.yaml"));
        long deleted = System.nanoTime();
        Skopeo.Result pull = awaitRefusedPull(skopeo, robot);
        System.out.println("robot refused " + millis(deleted) + " ms after its grant's document was deleted");
        assertThat(pull.output()).containsIgnoringCase("unauthorized");
        awaitSecretGone();
        System.out.println("pull Secret gone " + millis(deleted) + " ms after the grant's document was deleted");
        // The seed image is still there for others: only the robot lost access.
        assertSucceeded(skopeo.pull(registry.address(), "team-a/app", "v1", SEEDER));
    }

    private Secret awaitSecret() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Secret secret = api.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
        while (secret == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Secret " + SECRET + " was not written; dev mode said:\n" + dev.output());
            }
            Thread.sleep(100);
            secret = api.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
        }
        return secret;
    }

    private void awaitSecretGone() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (api.secrets().inNamespace(NAMESPACE).withName(SECRET).get() != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Secret " + SECRET + " outlived its grant; dev mode said:\n" + dev.output());
            }
            Thread.sleep(100);
        }
    }

    private Skopeo.Result awaitRefusedPull(Skopeo skopeo, String robot) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Skopeo.Result pull = skopeo.pull(registry.address(), "team-a/app", "v1", robot);
        while (pull.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the robot still pulls after its grant was deleted; dev mode said:\n"
                        + dev.output());
            }
            Thread.sleep(200);
            pull = skopeo.pull(registry.address(), "team-a/app", "v1", robot);
        }
        return pull;
    }

    private Path awaitFile(Path file) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.isRegularFile(file)) {
            if (System.nanoTime() > deadline || !dev.process().isAlive()) {
                throw new AssertionError(file + " was not written; dev mode said:\n" + dev.output());
            }
            Thread.sleep(100);
        }
        return file;
    }

    private void assertSucceeded(Skopeo.Result result) throws IOException {
        assertThat(result.ok()).as("skopeo failed:%n%s%nregistry log:%n%s", result.output(), registry.log())
                .isTrue();
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
