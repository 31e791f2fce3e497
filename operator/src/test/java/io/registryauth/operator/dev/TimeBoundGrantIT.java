package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * A grant with a validUntil a few seconds ahead, through the dev mode with a real registry and skopeo: push
 * works while it counts and is refused once the instant has passed, with no file changed in between (the
 * realm moves its policy on its own clock); the audit line says "expired" and the grant's status turns
 * Expired. The seeder's permanent grant keeps working throughout.
 */
class TimeBoundGrantIT {
    private static final Duration AHEAD = Duration.ofSeconds(20);

    @Test
    void pushWorksUntilValidUntilThenIsRefusedWithoutAnEdit() throws Exception {
        try (DevModeFixture dev = new DevModeFixture("time-bound-grant-it")) {
            Skopeo skopeo = new Skopeo(dev.work().resolve("skopeo"));
            OciImage image = OciImages.write(dev.work().resolve("image"));
            RegistryProcess registry = dev.registry("registry", "main");
            dev.writeSeededRegistry("it-timed", registry);
            dev.startDevMode();
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("team-a/base:v1"),
                    DevModeFixture.SEEDER));

            Instant until = Instant.now().plus(AHEAD).truncatedTo(ChronoUnit.SECONDS);
            Files.writeString(dev.manifests().resolve("02-contract.yaml"), """
                    apiVersion: registryauth.io/v1alpha1
                    kind: RepositoryAccess
                    metadata:
                      name: contract
                      namespace: registry
                    spec:
                      registry: {name: main}
                      subjects: [{kind: User, name: seeder}]
                      repositories: ["contract/**"]
                      actions: [pull, push]
                      validUntil: "%s"
                    """.formatted(until));
            RepositoryAccess active = dev.await(Duration.ofSeconds(30), Duration.ofMillis(200),
                    () -> dev.api().resources(RepositoryAccess.class).inNamespace("registry").withName("contract").get(),
                    g -> g != null && g.getStatus() != null && g.getStatus().condition("Active")
                            .map(c -> "Active".equals(c.getReason())).orElse(false),
                    g -> "the contract grant is not Active: " + (g == null ? null : g.getStatus()));
            assertThat(active.getStatus().condition("Ready").map(c -> c.getStatus()).orElse(null)).isEqualTo("True");
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("contract/app:v1"),
                    DevModeFixture.SEEDER));

            // Nothing is edited from here on: the realm stops honouring the grant at validUntil by itself.
            long wait = Duration.between(Instant.now(), until).toMillis();
            if (wait > 0) {
                Thread.sleep(wait + 500);
            }
            Skopeo.Result refused = skopeo.copy(image.reference(), null, registry.docker("contract/app:v2"),
                    DevModeFixture.SEEDER);
            assertThat(refused.succeeded()).as("push after validUntil: %s", refused.stderr()).isFalse();
            assertThat(refused.stderr()).containsIgnoringCase("denied");
            assertThat(skopeo.pull(registry.docker("contract/app:v1"), DevModeFixture.SEEDER).succeeded()).isFalse();
            dev.assertSucceeded(skopeo.copy(image.reference(), null, registry.docker("team-a/base:v2"),
                    DevModeFixture.SEEDER));
            assertThat(dev.output()).contains("\"repository:contract/app:pull,push\":\"expired\"");

            dev.await(Duration.ofSeconds(30), Duration.ofMillis(200),
                    () -> dev.api().resources(RepositoryAccess.class).inNamespace("registry").withName("contract").get(),
                    g -> g.getStatus().condition("Active").map(c -> "Expired".equals(c.getReason())).orElse(false),
                    g -> "the contract grant's status did not turn Expired: " + g.getStatus());
        }
    }
}
