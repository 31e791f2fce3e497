package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Grant status through the production operator: rejected grants say why, and follow their RegistryAuth. */
class RepositoryAccessReconcilerTest {
    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        cluster.start(cluster.settings());
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static RepositoryAccess grant(String namespace, String name, String registryNamespace,
                                          List<String> repositories) {
        RepositoryAccess grant = new RepositoryAccess();
        grant.getMetadata().setNamespace(namespace);
        grant.getMetadata().setName(name);
        grant.getSpec().setRegistry(new RegistryRef("main", registryNamespace));
        grant.getSpec().setSubjects(List.of(new GrantSubject(GrantSubject.Kind.USER, "alice", null)));
        grant.getSpec().setRepositories(repositories);
        grant.getSpec().setActions(List.of(RepositoryAction.PULL, RepositoryAction.PUSH));
        return grant;
    }

    private RepositoryAccess get(RepositoryAccess grant) {
        return cluster.client.resources(RepositoryAccess.class).inNamespace(grant.getMetadata().getNamespace())
                .withName(grant.getMetadata().getName()).get();
    }

    private static String condition(RepositoryAccess grant, String type) {
        return grant.getStatus() == null ? null
                : grant.getStatus().condition(type).map(c -> c.getStatus() + "/" + c.getReason()).orElse(null);
    }

    @Test
    void grantNamingAMissingRegistryAuthIsAcceptedOnceItAppears() {
        RepositoryAccess grant = cluster.client.resource(grant("registry", "team", null, List.of("team/**")))
                .create();
        RepositoryAccess rejected = await("RegistryAuthNotFound", () -> get(grant),
                g -> "False/RegistryAuthNotFound".equals(condition(g, "Accepted")));
        assertThat(condition(rejected, "Ready")).isEqualTo("False/RegistryAuthNotFound");
        assertThat(rejected.getStatus().condition("Accepted").map(Condition::getMessage).orElseThrow())
                .contains("registry/main");
        assertThat(rejected.getStatus().getObservedGeneration()).isEqualTo(rejected.getMetadata().getGeneration());
        await("GrantRejected event", () -> events("registry", "team"),
                e -> e.stream().anyMatch(x -> x.getReason().equals("GrantRejected")
                        && x.getMessage().contains("RegistryAuthNotFound")));

        cluster.client.resource(cluster.registryAuth("registry", "main", "registry.example.com")).create();
        RepositoryAccess accepted = await("Accepted and Ready", () -> get(grant),
                g -> "True/Accepted".equals(condition(g, "Accepted")) && "True/Ready".equals(condition(g, "Ready")));
        assertThat(accepted.getStatus().getConditions()).extracting(Condition::getType)
                .containsExactly("Accepted", "Ready");
    }

    @Test
    void invalidPatternAndTenancyViolationsAreRejectedWithReasons() {
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);

        RepositoryAccess badPattern = cluster.client.resource(
                grant("registry", "bad", null, List.of("team/***/[x"))).create();
        RepositoryAccess outside = cluster.client.resource(
                grant("team-a", "reach", "registry", List.of("team-b/**"))).create();
        RepositoryAccess inside = cluster.client.resource(
                grant("team-a", "own", "registry", List.of("team-a/**"))).create();

        await("InvalidPattern", () -> get(badPattern), g -> "False/InvalidPattern".equals(condition(g, "Accepted")));
        RepositoryAccess reach = await("OutsideTenancy", () -> get(outside),
                g -> "False/OutsideTenancy".equals(condition(g, "Accepted")));
        assertThat(reach.getStatus().condition("Accepted").map(Condition::getMessage).orElseThrow())
                .contains("team-b/**").contains("team-a/**");
        await("own namespace accepted", () -> get(inside), g -> "True/Ready".equals(condition(g, "Ready")));
        await("GrantRejected event", () -> events("team-a", "reach"),
                e -> e.stream().anyMatch(x -> x.getType().equals("Warning") && x.getReason().equals("GrantRejected")));
    }

    @Test
    void fixingAGrantClearsItsRejection() {
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        RepositoryAccess outside = cluster.client.resource(
                grant("team-a", "reach", "registry", List.of("team-b/**"))).create();
        await("OutsideTenancy", () -> get(outside), g -> "False/OutsideTenancy".equals(condition(g, "Accepted")));

        cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName("reach").edit(g -> {
            g.getSpec().setRepositories(List.of("team-a/app"));
            return g;
        });
        RepositoryAccess fixed = await("Accepted", () -> get(outside),
                g -> "True/Accepted".equals(condition(g, "Accepted")));
        assertThat(fixed.getStatus().getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void aTimeBoundGrantGoesFromPendingToActiveToExpiredWithoutAnEdit() {
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        java.time.Instant now = cluster.clock.instant();
        RepositoryAccess timed = grant("registry", "contract", null, List.of("team/**"));
        timed.getSpec().setValidFrom(now.plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        timed.getSpec().setValidUntil(now.plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        RepositoryAccess created = cluster.client.resource(timed).create();
        RepositoryAccess pending = await("Pending", () -> get(created),
                g -> "False/Pending".equals(condition(g, "Active")));
        assertThat(condition(pending, "Ready")).isEqualTo("False/Pending");
        assertThat(condition(pending, "Accepted")).isEqualTo("True/Accepted");
        // Requeued at each boundary (two seconds ahead): nothing edits the grant from here on; the operator's
        // clock is moved along before the requeue comes.
        cluster.clock.advance(java.time.Duration.ofSeconds(2));
        await("Active", () -> get(created), g -> "True/Active".equals(condition(g, "Active"))
                && "True/Ready".equals(condition(g, "Ready")));
        cluster.clock.advance(java.time.Duration.ofSeconds(2));
        RepositoryAccess expired = await("Expired", () -> get(created),
                g -> "False/Expired".equals(condition(g, "Active")));
        assertThat(condition(expired, "Ready")).isEqualTo("False/Expired");
        assertThat(expired.getStatus().condition("Active").map(Condition::getMessage).orElseThrow())
                .contains(timed.getSpec().getValidUntil());

        // Without a validity period there is no Active condition.
        cluster.client.resources(RepositoryAccess.class).inNamespace("registry").withName("contract").edit(g -> {
            g.getSpec().setValidFrom(null);
            g.getSpec().setValidUntil(null);
            return g;
        });
        RepositoryAccess plain = await("Ready again", () -> get(created), g -> "True/Ready".equals(condition(g, "Ready")));
        assertThat(plain.getStatus().getConditions()).extracting(Condition::getType).containsExactly("Accepted", "Ready");
    }

    private List<Event> events(String namespace, String name) {
        return cluster.client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
