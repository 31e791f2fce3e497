package io.registryauth.operator.dev;

import static io.registryauth.operator.dev.DevModeFixture.SEEDER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grants with {@code credentials} and no subjects, through the dev mode and the real registry: the
 * generated dockerconfigjson Secret's robot may do what the grant names and nothing else (a pull robot
 * may not push; a team's push robot pushes only its team's repositories), and loses both its Secret and
 * its access when the grant's document leaves the manifests.
 */
class RobotCredentialsIT {
    private static final String NAMESPACE = "registry";
    private static final String SECRET = "team-a-pull";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DevModeFixture dev;
    private RegistryProcess registry;

    @BeforeEach
    void start() throws Exception {
        dev = new DevModeFixture("robot-credentials-it");
        // Taken first: its port is the host the generated Secret must name.
        registry = dev.registry(NAMESPACE, "main");
        dev.writeSeededRegistry("it-robots", registry);
        writeRobotGrant();
        dev.startDevMode();
    }

    private void writeRobotGrant() throws IOException {
        Files.writeString(dev.manifests().resolve("02-robot-grant.yaml"), """
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
        if (dev != null) {
            dev.close();
        }
    }

    @Test
    void generatedSecretPullsOnlyAndIsRevokedWithTheGrant() throws Exception {
        Skopeo skopeo = new Skopeo(dev.work().resolve("skopeo"));
        OciImage image = OciImages.write(dev.work().resolve("image"));
        dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("team-a/app:v1"), SEEDER));

        long start = System.nanoTime();
        Secret secret = awaitSecret();
        System.out.println("pull Secret written " + millis(start) + " ms after the seed push");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        JsonNode auth = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                .path("auths").path(registry.hostPort());
        assertThat(auth.isObject()).as("the Secret names the registry host %s", registry.hostPort()).isTrue();
        Login robot = new Login(auth.path("username").asText(), auth.path("password").asText());
        assertThat(auth.path("auth").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(robot.creds().getBytes(StandardCharsets.UTF_8)));

        dev.assertSucceeded(skopeo.pull(registry.docker("team-a/app:v1"), robot));
        Skopeo.Result push = skopeo.copy(image.reference(), null, registry.docker("team-a/app:v1"), robot);
        assertThat(push.succeeded()).as("the pull-only robot pushed:%n%s", push.stderr()).isFalse();
        assertThat(push.stderr()).containsIgnoringCase("denied");
        Skopeo.Result elsewhere = skopeo.pull(registry.docker("team-b/app:v1"), robot);
        assertThat(elsewhere.succeeded()).as("pull outside the grant's repositories").isFalse();

        Files.delete(dev.manifests().resolve("02-robot-grant.yaml"));
        long deleted = System.nanoTime();
        Skopeo.Result pull = dev.await(Duration.ofSeconds(10), Duration.ofMillis(200),
                () -> skopeo.pull(registry.docker("team-a/app:v1"), robot), refused -> !refused.succeeded(),
                refused -> "the robot still pulls after its grant was deleted");
        System.out.println("robot refused " + millis(deleted) + " ms after its grant's document was deleted");
        assertThat(pull.stderr()).containsIgnoringCase("unauthorized");
        dev.await(Duration.ofSeconds(10), Duration.ofMillis(100), this::secret, Objects::isNull,
                left -> "Secret " + SECRET + " outlived its grant");
        System.out.println("pull Secret gone " + millis(deleted) + " ms after the grant's document was deleted");
        // The seed image is still there for others: only the robot lost access.
        dev.assertSucceeded(skopeo.pull(registry.docker("team-a/app:v1"), SEEDER));
    }

    /**
     * Build jobs push: a team's grant in its own namespace (inside the default tenancy) asks for push
     * credentials and for its build service account to list them, applied while the dev mode runs.
     */
    @Test
    void aPushRobotPushesItsTeamsRepositoriesOnly() throws Exception {
        Files.writeString(dev.manifests().resolve("03-team-a-ci.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: builder
                  namespace: team-a
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: ci-push
                  namespace: team-a
                spec:
                  registry: {name: main, namespace: %s}
                  repositories: ["team-a/**"]
                  actions: [pull, push]
                  credentials: {secretName: ci-push, serviceAccounts: [builder]}
                """.formatted(NAMESPACE));
        Secret secret = dev.await(DevModeFixture.WAIT, Duration.ofMillis(100),
                () -> dev.api().secrets().inNamespace("team-a").withName("ci-push").get(), Objects::nonNull,
                none -> "Secret team-a/ci-push was not written");
        JsonNode auth = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                .path("auths").path(registry.hostPort());
        Login robot = new Login(auth.path("username").asText(), auth.path("password").asText());
        assertThat(robot.username()).isEqualTo("robot$team-a$ci-push");

        Skopeo skopeo = new Skopeo(dev.work().resolve("skopeo"));
        OciImage image = OciImages.write(dev.work().resolve("image"));
        dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("team-a/built:v1"), robot));
        dev.assertSucceeded(skopeo.pull(registry.docker("team-a/built:v1"), robot));
        Skopeo.Result elsewhere = skopeo.copy(image.reference(), null, registry.docker("team-b/built:v1"), robot);
        assertThat(elsewhere.succeeded()).as("the team's robot pushed to another team's repository").isFalse();
        assertThat(elsewhere.stderr()).containsIgnoringCase("denied");
        dev.await(Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> dev.api().serviceAccounts().inNamespace("team-a").withName("builder").get(),
                account -> account.getImagePullSecrets().stream().anyMatch(r -> "ci-push".equals(r.getName())),
                account -> "service account team-a/builder does not list ci-push: " + account.getImagePullSecrets());
    }

    private Secret secret() throws Exception {
        return dev.api().secrets().inNamespace(NAMESPACE).withName(SECRET).get();
    }

    private Secret awaitSecret() throws Exception {
        return dev.await(DevModeFixture.WAIT, Duration.ofMillis(100), this::secret, Objects::nonNull,
                secret -> "Secret " + SECRET + " was not written");
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
