package io.registryauth.operator.dev;

import static io.registryauth.operator.dev.DevModeFixture.SEEDER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.operator.ResourceNames;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated pull Secret's life after its first write, through the dev mode and the real registry: a
 * rotation keeps the previous password pulling for the grace period and no longer, and a Secret edited by
 * hand is put back with a new password while the hand-written one is refused.
 */
class RobotRotationIT {
    private static final String NAMESPACE = "registry";
    private static final String IMAGE = "team-a/app:v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DevModeFixture dev;
    private RegistryProcess registry;
    private Skopeo skopeo;

    /** One robot login as a Secret holds it; never printed with its password. */
    private record Robot(String user, String password) {
        String credentials() {
            return user + ":" + password;
        }

        Login login() {
            return new Login(user, password);
        }

        @Override
        public String toString() {
            return "Robot[user=" + user + ", password=<redacted>]";
        }
    }

    @BeforeEach
    void start() throws Exception {
        dev = new DevModeFixture("robot-rotation-it");
        // Taken first: its port is the host the generated Secret must name.
        registry = dev.registry(NAMESPACE, "main");
        dev.writeSeededRegistry("it-rotation", registry);
        dev.startDevMode();
        skopeo = new Skopeo(dev.work().resolve("skopeo"));
        String image = OciImages.write(dev.work().resolve("image")).reference();
        dev.assertSucceeded(skopeo.copy(image, null, registry.docker(IMAGE), SEEDER));
    }

    /** Adds a pull-only grant with generated credentials to the running dev mode's manifests. */
    private void writeRobotGrant(String name, String secretName, String rotationPeriod, String gracePeriod)
            throws IOException {
        Files.writeString(dev.manifests().resolve("02-" + name + ".yaml"), """
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
        if (dev != null) {
            dev.close();
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
        Skopeo.Result graced = pull(first);
        assertThat(graced.succeeded()).as("the previous password within its grace (%d ms after the rotation was seen,"
                        + " grace %s, valid until %s):%n%s", millis(rotated), grace,
                annotations(secret).get(ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION), graced.stderr())
                .isTrue();

        Skopeo.Result refused = awaitRefused(first, Duration.ofSeconds(30));
        System.out.println("previous password refused " + millis(rotated) + " ms after the rotation was seen"
                + " (gracePeriod " + grace + ")");
        assertThat(refused.stderr()).containsIgnoringCase("unauthorized");
        assertThat(robot(secret)).as("still the second password: the first lost to its grace ending, not to a"
                + " second rotation").isEqualTo(second);
        dev.assertSucceeded(pull(second));
    }

    @Test
    void secretEditedByHandIsPutBackWithANewPassword() throws Exception {
        // A period long enough that only the hand edit can change the password.
        String secret = "repaired-pull";
        writeRobotGrant("repaired", secret, "24h", "1h");
        Robot original = awaitRobot(secret, robot -> true);
        awaitPull(original);

        Robot handWritten = new Robot(original.user(), madeUpPassword());
        dev.api().secrets().inNamespace(NAMESPACE).withName(secret).edit(s -> {
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
        Skopeo.Result hand = pull(handWritten);
        assertThat(hand.succeeded()).as("the hand-written password pulled:%n%s", hand.stderr()).isFalse();
        assertThat(hand.stderr()).containsIgnoringCase("unauthorized");
        // The repair keeps no earlier password: the one the edit replaced is gone with it.
        Skopeo.Result old = pull(original);
        assertThat(old.succeeded()).as("the password from before the edit pulled:%n%s", old.stderr()).isFalse();
        assertThat(old.stderr()).containsIgnoringCase("unauthorized");
    }

    /** The robot the Secret holds, once it exists and {@code wanted} accepts it. */
    private Robot awaitRobot(String secret, Predicate<Robot> wanted) throws Exception {
        return dev.await(DevModeFixture.WAIT, Duration.ofMillis(100), () -> robot(secret),
                robot -> robot != null && wanted.test(robot),
                robot -> "Secret " + secret + " never held the awaited robot (last: " + robot + ")");
    }

    /** The robot in the Secret, checked for the shape the kubelet and skopeo read; null while there is none. */
    private Robot robot(String name) throws Exception {
        Secret secret = dev.api().secrets().inNamespace(NAMESPACE).withName(name).get();
        if (secret == null) {
            return null;
        }
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        JsonNode auth = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                .path("auths").path(registry.hostPort());
        assertThat(auth.isObject()).as("the Secret names the registry host %s", registry.hostPort()).isTrue();
        Robot robot = new Robot(auth.path("username").asText(), auth.path("password").asText());
        assertThat(auth.path("auth").asText()).as("auth is user:password of %s", robot)
                .isEqualTo(Base64.getEncoder().encodeToString(robot.credentials().getBytes(StandardCharsets.UTF_8)));
        return robot;
    }

    private Map<String, String> annotations(String secret) throws Exception {
        Map<String, String> annotations = dev.api().secrets().inNamespace(NAMESPACE).withName(secret).get()
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
        config.putObject("auths").set(registry.hostPort(), entry);
        return Base64.getEncoder().encodeToString(config.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Pulls until the realm has caught up with the Secret (it is fed from it, not at the same instant). */
    private void awaitPull(Robot robot) throws Exception {
        dev.await(Duration.ofSeconds(10), Duration.ofMillis(200), () -> pull(robot), Skopeo.Result::succeeded,
                pull -> "skopeo failed:\n" + pull.stderr() + "\nregistry log:\n" + registry.logText());
    }

    private Skopeo.Result awaitRefused(Robot robot, Duration timeout) throws Exception {
        return dev.await(timeout, Duration.ofMillis(200), () -> pull(robot), pull -> !pull.succeeded(),
                pull -> robot + " still pulls after " + timeout);
    }

    private Skopeo.Result pull(Robot robot) {
        return skopeo.pull(registry.docker(IMAGE), robot.login());
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
