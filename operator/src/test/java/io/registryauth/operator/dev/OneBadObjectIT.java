package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rows of "one bad object" as a new user meets them: the dev mode, a real registry and skopeo. Bad
 * documents beside good ones at start and added while it runs, a broken second RegistryAuth, and an htpasswd
 * Secret with malformed lines: the dev mode starts and keeps running, the good users and grants work, the
 * errors name the file and the field, and a good grant added after a bad one is enforced.
 */
class OneBadObjectIT {
    private static final Login ALICE = new Login("alice", "wonderland");
    private static final Login BOB = new Login("bob", "builder");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private String realmUrl;

    private static String grant(String name, String repositories, String actions) {
        return """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata: {name: %s, namespace: registry}
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: alice}, {kind: User, name: bob}]
                  %s
                  actions: %s
                """.formatted(name, repositories, actions);
    }

    @Test
    void badDocumentsAndMalformedUserLinesCostOnlyThemselves() throws Exception {
        try (DevModeFixture dev = new DevModeFixture("one-bad-object-it")) {
            Path manifests = dev.manifests();
            Skopeo skopeo = new Skopeo(dev.work().resolve("skopeo"));
            OciImage image = OciImages.write(dev.work().resolve("image"));
            String aliceHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "wonderland".toCharArray());
            String bobHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "builder".toCharArray());
            // Line 2 has no colon, line 4 an MD5-crypt hash: each costs its own line only.
            Files.writeString(manifests.resolve("01-users.yaml"), """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: registry-users, namespace: registry}
                    stringData:
                      htpasswd: |
                        alice:%s
                        pasted-without-a-colon
                        bob:%s
                        carol:$1$md5$abcdefghijklmnop
                    """.formatted(aliceHash, bobHash));
            Files.writeString(manifests.resolve("02-registries.yaml"), """
                    apiVersion: registryauth.io/v1alpha1
                    kind: RegistryAuth
                    metadata: {name: main, namespace: registry}
                    spec:
                      service: bad-object-it
                      authentication:
                        htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                    ---
                    apiVersion: registryauth.io/v1alpha1
                    kind: RegistryAuth
                    metadata: {name: second, namespace: registry}
                    spec:
                      service: second
                      authentication: {anonymous: maybe}
                    """);
            Files.writeString(manifests.resolve("03-grant.yaml"), grant("team", "repositories: [\"team/**\"]",
                    "[pull, push]"));
            Files.writeString(manifests.resolve("90-typo.yaml"), grant("typo", "repositoryes: [\"**\"]", "[pull]")
                    + "---\n" + grant("wrong-type", "repositories: [\"**\"]", "pull"));
            RegistryProcess registry = dev.registry("registry", "main");
            dev.startDevMode();
            realmUrl = dev.realmUrl();

            assertThat(dev.output())
                    .contains("90-typo.yaml: RepositoryAccess registry/typo: unknown field \"spec.repositoryes\"")
                    .contains("90-typo.yaml: RepositoryAccess registry/wrong-type: field \"spec.actions\"")
                    .contains("02-registries.yaml: RegistryAuth registry/second: field \"spec.authentication.anonymous\"");
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("team/app:v1"), ALICE));
            dev.assertSucceeded(skopeo.pull(registry.docker("team/app:v1"), BOB));
            RegistryAuth main = dev.await(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> dev.api().resources(RegistryAuth.class).inNamespace("registry").withName("main").get(),
                    a -> a.getStatus() != null && a.getStatus().condition("Ready")
                            .map(c -> c.getMessage().contains("htpasswd line 2")).orElse(false),
                    a -> "status without the skipped lines: " + a.getStatus());
            assertThat(main.getStatus().condition("Ready").orElseThrow().getMessage())
                    .contains("htpasswd line 4").doesNotContain("$1$md5");

            // While running: a bad document added, then a good grant after it.
            Files.writeString(manifests.resolve("91-late.yaml"), grant("late-bad", "repositories: [\"**\"]",
                    "[pul]"));
            dev.await(Duration.ofSeconds(20), Duration.ofMillis(50), dev::output,
                    out -> out.contains("91-late.yaml: RepositoryAccess registry/late-bad: field \"spec.actions[0]\""),
                    out -> "the late bad document was not reported");
            Files.writeString(manifests.resolve("95-after.yaml"), grant("after", "repositories: [\"later/**\"]",
                    "[pull, push]"));
            long start = System.nanoTime();
            dev.await(Duration.ofSeconds(20), Duration.ofMillis(20), () -> granted("later/app", "pull,push"),
                    Set.of("pull", "push")::equals, g -> "the grant added after the bad ones is not enforced: " + g);
            System.out.println("good grant after bad documents enforced after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("later/app:v1"), BOB));
            assertThat(granted("anything/else", "pull")).as("the bad grants grant nothing").isEmpty();
        }
    }

    private Set<String> granted(String repository, String actions) throws Exception {
        String query = "service=bad-object-it&scope="
                + URLEncoder.encode("repository:" + repository + ":" + actions, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(realmUrl + "?" + query))
                .header("Authorization", ALICE.basicAuthorization()).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("realm answer %s", response.body()).isEqualTo(200);
        String token = JSON.readTree(response.body()).get("token").asText();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        Set<String> granted = new LinkedHashSet<>();
        claims.get("access").forEach(entry -> entry.get("actions").forEach(a -> granted.add(a.asText())));
        return granted;
    }
}
