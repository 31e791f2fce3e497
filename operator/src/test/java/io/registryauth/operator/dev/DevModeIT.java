package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The README's dev mode, end to end: the operator jar runs {@code dev} against a temporary manifests
 * directory, distribution's registry starts from the {@code registry.env} it writes, and skopeo pushes and
 * pulls through the realm while the test edits the manifests and waits for key rotation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevModeIT {
    private static final Login ALICE = new Login("alice", "wonderland");
    private static final Pattern CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private DevModeFixture dev;
    private Skopeo skopeo;
    private OciImage image;

    @BeforeAll
    void startDevMode() throws Exception {
        dev = new DevModeFixture("dev-mode-it");
        Path manifests = dev.manifests();
        skopeo = new Skopeo(dev.work().resolve("skopeo"));
        image = OciImages.write(dev.work().resolve("image"));

        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "wonderland".toCharArray());
        Files.writeString(manifests.resolve("01-users.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: registry-users
                  namespace: registry
                stringData:
                  htpasswd: |
                    alice:%s
                """.formatted(hash));
        Files.writeString(manifests.resolve("02-registries.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: main
                  namespace: registry
                spec:
                  service: it-main
                  authentication:
                    htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                ---
                # Rotates every 40 s; a new key signs 20 s after entering the bundle (time enough for the test to
                # restart the registry, as a rollout would); tokens live 10 s.
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: rotating
                  namespace: registry
                spec:
                  service: it-rotating
                  token: {ttl: 10s, refreshTtl: "0"}
                  signing: {algorithm: ES256, rotationPeriod: 40s, rotationLeadTime: 20s}
                  authentication:
                    htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: unrelated
                  namespace: registry
                spec:
                  selector: {matchLabels: {app: unrelated}}
                  template:
                    metadata: {labels: {app: unrelated}}
                    spec:
                      containers: [{name: registry, image: "registry:2"}]
                """);
        writeMainGrant("[pull, push]");
        Files.writeString(manifests.resolve("04-rotating-grant.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: alice-rot
                  namespace: registry
                spec:
                  registry: {name: rotating}
                  subjects: [{kind: User, name: alice}]
                  repositories: ["rot/**"]
                  actions: [pull, push]
                """);
        dev.startDevMode();
    }

    private void writeMainGrant(String actions) throws IOException {
        Files.writeString(dev.manifests().resolve("03-main-grant.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: alice-team
                  namespace: registry
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: alice}]
                  repositories: ["team/**"]
                  actions: %s
                """.formatted(actions));
    }

    @AfterAll
    void stop() throws Exception {
        if (dev != null) {
            try (DevModeFixture closing = dev) {
                closing.stopDevMode().ifPresent(output -> assertThat(output).contains("registry-auth dev: stopped"));
            }
        }
    }

    @Test
    void grantFileEditsAreEnforcedAndDeletedDocumentsDeleted() throws Exception {
        Path env = dev.awaitFile(dev.registryEnv("registry", "main"));
        assertThat(Files.readString(env)).contains("REGISTRY_AUTH_TOKEN_REALM='" + dev.realmUrl() + "'")
                .contains("REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE='" + env.resolveSibling("rootcertbundle.pem") + "'");
        assertThat(dev.state().resolve("kubeconfig")).exists();
        try (RegistryProcess registry = dev.registry("registry", "main")) {
            registry.start();
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("team/app:v1"), ALICE));

            writeMainGrant("[pull]");
            long start = System.nanoTime();
            awaitGranted("it-main", "team/app", "pull,push", Set.of("pull"));
            System.out.println("grant file edit enforced by the realm after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            Skopeo.Result refused = skopeo.copy(image.reference(), null, registry.docker("team/app2:v1"), ALICE);
            assertThat(refused.succeeded()).as("push after the grant lost push: %s", refused.stderr()).isFalse();
            assertThat(refused.stderr()).containsIgnoringCase("denied");
            dev.assertSucceeded(skopeo.pull(registry.docker("team/app:v1"), ALICE));

            Files.delete(dev.manifests().resolve("03-main-grant.yaml"));
            awaitGranted("it-main", "team/app", "pull", Set.of());
            assertThat(skopeo.pull(registry.docker("team/app:v1"), ALICE).succeeded()).isFalse();
        }
    }

    @Test
    void rotationCompletesWhilePullsKeepSucceeding() throws Exception {
        Path env = dev.awaitFile(dev.registryEnv("registry", "rotating"));
        Path bundle = env.resolveSibling("rootcertbundle.pem");
        String bundleText = Files.readString(bundle);
        Set<String> initialCertificates = certificates(bundleText);
        String initialKid = tokenHeader("it-rotating", "rot/app", "pull").get("kid").asText();
        try (RegistryProcess registry = dev.registry("registry", "rotating")) {
            registry.start();
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("rot/app:v1"), ALICE));

            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(7).toNanos();
            int pulls = 0;
            boolean newKeyEnteredBundle = false;
            boolean completed = false;
            while (!completed && System.nanoTime() < deadline) {
                String current = Files.readString(bundle);
                if (!current.equals(bundleText)) {
                    // As a Deployment rollout would: the registry restarts with the bundle it is given.
                    bundleText = current;
                    registry.restart();
                    System.out.println("bundle changed after " + seconds(start) + " s: "
                            + certificates(current).size() + " certificates; registry restarted");
                }
                Set<String> now = certificates(current);
                newKeyEnteredBundle |= !initialCertificates.containsAll(now);
                dev.assertSucceeded(skopeo.pull(registry.docker("rot/app:v1"), ALICE));
                pulls++;
                String kid = tokenHeader("it-rotating", "rot/app", "pull").get("kid").asText();
                completed = newKeyEnteredBundle && !kid.equals(initialKid)
                        && now.stream().noneMatch(initialCertificates::contains);
                Thread.sleep(1000);
            }
            assertThat(completed).as("the first key left the bundle and another one signs").isTrue();
            dev.assertSucceeded(skopeo.pull(registry.docker("rot/app:v1"), ALICE));
            System.out.println("rotation completed after " + seconds(start) + " s with " + pulls
                    + " pulls, all successful, and " + (registry.starts() - 1) + " registry restarts");
        }
    }

    @Test
    void helpAndBadCommandLines() throws Exception {
        assertThat(runJar("--help")).startsWith("0:").contains("Usage:").contains("--manifests DIR");
        assertThat(runJar("dev", "--help")).startsWith("0:").contains("--state-dir DIR");
        assertThat(runJar("dev", "--colour")).startsWith("2:").contains("unknown option: --colour")
                .contains("Usage:");
        assertThat(runJar("serve")).startsWith("2:").contains("unknown command: serve");
        assertThat(runJar("dev", "--port", "x")).startsWith("2:").contains("--port must be a number");
        assertThat(runJar("dev", "--manifests", dev.work().resolve("missing").toString(), "--port", "0"))
                .startsWith("1:").contains("does not exist");
    }

    /** Runs the jar to completion; returns "exit code:" followed by everything it printed. */
    private String runJar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                DevModeProcess.jar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() + ":" + output;
    }

    private static long seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000_000;
    }

    /** Asks the realm (as skopeo would) and polls until it grants exactly {@code expected}. */
    private void awaitGranted(String service, String repository, String actions, Set<String> expected)
            throws Exception {
        dev.await(Duration.ofSeconds(20), Duration.ofMillis(20), () -> granted(service, repository, actions),
                expected::equals, granted -> "the realm still grants " + granted + " instead of " + expected);
    }

    private Set<String> granted(String service, String repository, String actions) throws Exception {
        JsonNode claims = tokenPart(service, repository, actions, 1);
        Set<String> granted = new LinkedHashSet<>();
        claims.get("access").forEach(entry -> entry.get("actions").forEach(a -> granted.add(a.asText())));
        return granted;
    }

    private JsonNode tokenHeader(String service, String repository, String actions) throws Exception {
        return tokenPart(service, repository, actions, 0);
    }

    private JsonNode tokenPart(String service, String repository, String actions, int part) throws Exception {
        String query = "service=" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode("repository:" + repository + ":" + actions, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(dev.realmUrl() + "?" + query))
                .header("Authorization", ALICE.basicAuthorization())
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("realm answer %s", response.body()).isEqualTo(200);
        String token = JSON.readTree(response.body()).get("token").asText();
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[part]));
    }

    private static Set<String> certificates(String bundle) {
        Set<String> certificates = new HashSet<>();
        Matcher matcher = CERTIFICATE.matcher(bundle);
        while (matcher.find()) {
            certificates.add(matcher.group().replaceAll("\\s", ""));
        }
        return certificates;
    }
}
