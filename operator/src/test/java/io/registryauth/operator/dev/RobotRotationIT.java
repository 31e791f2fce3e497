package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.registryauth.operator.ResourceNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated pull Secret's life after its first write, through the dev mode and the real registry: a
 * rotation keeps the previous password pulling for the grace period and no longer, and a Secret edited by
 * hand is put back with a new password while the hand-written one is refused.
 */
class RobotRotationIT {
    private static final String SEEDER = "seeder:seed-password";
    private static final String NAMESPACE = "registry";
    private static final String REPOSITORY = "team-a/app";
    private static final String TAG = "v1";
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path manifests;
    private DevModeProcess dev;
    private RegistryServer registry;
    private KubernetesClient api;
    private Skopeo skopeo;

    /** One robot login as a Secret holds it; never printed with its password. */
    private record Robot(String user, String password) {
        String credentials() {
            return user + ":" + password;
        }

        @Override
        public String toString() {
            return "Robot[user=" + user + ", password=<redacted>]";
        }
    }

    @BeforeEach
    void start() throws Exception {
        Programs.require("docker-registry");
        Programs.require("skopeo");
        work = Files.createTempDirectory("robot-rotation-it");
        manifests = Files.createDirectories(work.resolve("manifests"));
        Path state = work.resolve("state");
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
                  service: it-rotation
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
        dev = DevModeProcess.start(manifests, state, work.resolve("dev-mode.log"));
        awaitFile(env);
        registry.start();
        // One HTTP client named, so Fabric8 does not pick among the two on the classpath at random.
        api = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(Config.fromKubeconfig(Files.readString(awaitFile(state.resolve("kubeconfig")))))
                .build();
        skopeo = new Skopeo(work);
        Path image = OciLayout.write(work.resolve("image"), TAG, "seeded for the robots");
        assertSucceeded(skopeo.push(image, TAG, registry.address(), REPOSITORY, SEEDER));
    }

    /** Adds a pull-only grant with generated credentials to the running dev mode's manifests. */
    private void writeRobotGrant(String name, String secretName, String rotationPeriod, String gracePeriod)
            throws IOException {
        Files.writeString(manifests.resolve("02-" + name + ".yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  registry: {name: main}
                  repositories: ["team-a/**"]
                  actions: [pull]
                  credentials: {secretName: %s, rotationPeriod: %s, gracePeriod: %s}
                """.formatted(name, NAMESPACE, secretName, rotationPeriod, gracePeriod));
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
    void rotationKeepsThePreviousPasswordForTheGracePeriodOnly() throws Exception {
        // Grace shorter than the period, so the first password can only lose to the end of its grace,
        // never to a second rotation pushing it out (checked below).
        String secret = "rotating-pull";
        String period = "15s";
        String grace = "8s";
        writeRobotGrant("rotating", secret, period, grace);
        long written = System.nanoTime();
        Robot first = awaitRobot(secret, robot -> true);
        System.out.println("pull Secret written " + millis(written) + " ms after the grant's document");
        awaitPull(first);

        long firstSeen = System.nanoTime();
        Robot second = awaitRobot(secret, robot -> !robot.password().equals(first.password()));
        long rotated = System.nanoTime();
        System.out.println("password rotated " + millis(firstSeen) + " ms after the first was read"
                + " (rotationPeriod " + period + ")");
        assertThat(second.user()).as("rotation keeps the robot's name").isEqualTo(first.user());
        assertThat(annotations(secret)).as("the rotated Secret carries the previous password's grace")
                .containsKeys(ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION,
                        ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION);

        // Once the new password pulls, the realm holds the rotated robot: the old one pulling now is grace.
        awaitPull(second);
        System.out.println("new password pulls " + millis(rotated) + " ms after the rotation was seen");
        Skopeo.Result graced = skopeo.pull(registry.address(), REPOSITORY, TAG, first.credentials());
        assertThat(graced.ok()).as("the previous password within its grace (%d ms after the rotation was seen,"
                        + " grace %s, valid until %s):%n%s", millis(rotated), grace,
                annotations(secret).get(ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION), graced.output())
                .isTrue();

        Skopeo.Result refused = awaitRefused(first, Duration.ofSeconds(30));
        System.out.println("previous password refused " + millis(rotated) + " ms after the rotation was seen"
                + " (gracePeriod " + grace + ")");
        assertThat(refused.output()).containsIgnoringCase("unauthorized");
        assertThat(robot(secret)).as("still the second password: the first lost to its grace ending, not to a"
                + " second rotation").isEqualTo(second);
        assertSucceeded(skopeo.pull(registry.address(), REPOSITORY, TAG, second.credentials()));
    }

    @Test
    void secretEditedByHandIsPutBackWithANewPassword() throws Exception {
        // A period long enough that only the hand edit can change the password.
        String secret = "repaired-pull";
        writeRobotGrant("repaired", secret, "24h", "1h");
        Robot original = awaitRobot(secret, robot -> true);
        awaitPull(original);

        Robot handWritten = new Robot(original.user(), madeUpPassword());
        api.secrets().inNamespace(NAMESPACE).withName(secret).edit(s -> {
            s.setData(Map.of(".dockerconfigjson", dockerConfig(handWritten)));
            return s;
        });
        long edited = System.nanoTime();
        Robot restored = awaitRobot(secret, robot -> !robot.password().equals(handWritten.password()));
        System.out.println("hand-edited Secret put back " + millis(edited) + " ms after the edit");
        assertThat(restored.user()).isEqualTo(original.user());
        assertThat(restored.password()).as("a hand edit costs a new password")
                .isNotEqualTo(original.password());

        awaitPull(restored);
        System.out.println("restored password pulls " + millis(edited) + " ms after the edit");
        Skopeo.Result hand = skopeo.pull(registry.address(), REPOSITORY, TAG, handWritten.credentials());
        assertThat(hand.ok()).as("the hand-written password pulled:%n%s", hand.output()).isFalse();
        assertThat(hand.output()).containsIgnoringCase("unauthorized");
        // The repair keeps no earlier password: the one the edit replaced is gone with it.
        Skopeo.Result old = skopeo.pull(registry.address(), REPOSITORY, TAG, original.credentials());
        assertThat(old.ok()).as("the password from before the edit pulled:%n%s", old.output()).isFalse();
        assertThat(old.output()).containsIgnoringCase("unauthorized");
    }

    /** The robot the Secret holds, once it exists and {@code wanted} accepts it. */
    private Robot awaitRobot(String secret, Predicate<Robot> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Robot robot = robot(secret);
        while (robot == null || !wanted.test(robot)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Secret " + secret + " never held the awaited robot (last: " + robot
                        + "); dev mode said:\n" + dev.output());
            }
            Thread.sleep(100);
            robot = robot(secret);
        }
        return robot;
    }

    /** The robot in the Secret, checked for the shape the kubelet and skopeo read; null while there is none. */
    private Robot robot(String name) throws IOException {
        Secret secret = api.secrets().inNamespace(NAMESPACE).withName(name).get();
        if (secret == null) {
            return null;
        }
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        JsonNode auth = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                .path("auths").path(registry.address());
        assertThat(auth.isObject()).as("the Secret names the registry host %s", registry.address()).isTrue();
        Robot robot = new Robot(auth.path("username").asText(), auth.path("password").asText());
        assertThat(auth.path("auth").asText()).as("auth is user:password of %s", robot)
                .isEqualTo(Base64.getEncoder().encodeToString(robot.credentials().getBytes(StandardCharsets.UTF_8)));
        return robot;
    }

    private Map<String, String> annotations(String secret) {
        Map<String, String> annotations = api.secrets().inNamespace(NAMESPACE).withName(secret).get()
                .getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    /** Random text of a real password's shape, so only the realm's hash can tell it is not the robot's. */
    private static String madeUpPassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String dockerConfig(Robot robot) {
        ObjectNode entry = JSON.createObjectNode()
                .put("username", robot.user())
                .put("password", robot.password())
                .put("auth", Base64.getEncoder().encodeToString(robot.credentials().getBytes(StandardCharsets.UTF_8)));
        ObjectNode config = JSON.createObjectNode();
        config.putObject("auths").set(registry.address(), entry);
        return Base64.getEncoder().encodeToString(config.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Pulls until the realm has caught up with the Secret (it is fed from it, not at the same instant). */
    private void awaitPull(Robot robot) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Skopeo.Result pull = skopeo.pull(registry.address(), REPOSITORY, TAG, robot.credentials());
        while (!pull.ok()) {
            if (System.nanoTime() > deadline) {
                assertSucceeded(pull);
            }
            Thread.sleep(200);
            pull = skopeo.pull(registry.address(), REPOSITORY, TAG, robot.credentials());
        }
    }

    private Skopeo.Result awaitRefused(Robot robot, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Skopeo.Result pull = skopeo.pull(registry.address(), REPOSITORY, TAG, robot.credentials());
        while (pull.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(robot + " still pulls after " + timeout + "; dev mode said:\n"
                        + dev.output());
            }
            Thread.sleep(200);
            pull = skopeo.pull(registry.address(), REPOSITORY, TAG, robot.credentials());
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
