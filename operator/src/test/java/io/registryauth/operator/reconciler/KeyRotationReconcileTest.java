package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.registryauth.api.v1alpha1.KeyStatus;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistrySpec;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rotation steps with an injected clock: pending, active, retiring, removed, and the bundle at each step. */
class KeyRotationReconcileTest {
    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private RegistryAuth rotating(RegistrySpec registry) {
        RegistryAuth auth = cluster.registryAuth("registry", "main", "registry.example.com");
        auth.getSpec().getSigning().setRotationPeriod("1h");
        auth.getSpec().getSigning().setRotationLeadTime("10m");
        auth.getSpec().getToken().setTtl("15m");
        auth.getSpec().setRegistry(registry);
        return cluster.client.resource(auth).create();
    }

    private List<KeyStatus> keys(RegistryAuth auth) {
        RegistryAuth current = cluster.get(auth);
        return current.getStatus() == null ? List.of() : current.getStatus().getKeys();
    }

    private static List<String> states(List<KeyStatus> keys) {
        return keys.stream().map(KeyStatus::getState).toList();
    }

    private String bundle(RegistryAuth auth) {
        var configMap = cluster.configMap(auth);
        return configMap == null ? null : configMap.getData().get("rootcertbundle.pem");
    }

    private KeyRing ring(RegistryAuth auth) {
        return SigningKeySecret.keyRing(cluster.signingSecret(auth)).orElseThrow();
    }

    @Test
    void withoutADeploymentTheNewKeySignsAfterTheLeadTimeAndTheOldLeavesAfterTheTokenLifetime() {
        cluster.start(cluster.settings());
        RegistryAuth auth = rotating(null);
        RegistryAuth first = await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        SigningKey old = ring(auth).active();
        assertThat(first.getStatus().getActiveKeyId()).isEqualTo(old.kid());

        // Due: a pending key enters the bundle, the old one keeps signing.
        cluster.clock.advance(Duration.ofHours(1));
        cluster.poke(auth);
        await("pending key", () -> keys(auth), k -> states(k).contains("pending"));
        KeyRing withPending = ring(auth);
        assertThat(withPending.active().kid()).isEqualTo(old.kid());
        SigningKey fresh = withPending.published().stream().filter(k -> !k.kid().equals(old.kid())).findFirst()
                .orElseThrow();
        await("bundle with both keys", () -> bundle(auth),
                b -> b.equals(old.certificatePem() + fresh.certificatePem()));

        // Lead time over: the new key signs, the old one retires but stays in the bundle.
        cluster.clock.advance(Duration.ofMinutes(10));
        Instant activation = cluster.clock.instant();
        cluster.poke(auth);
        RegistryAuth rotated = await("rotation", () -> cluster.get(auth),
                a -> fresh.kid().equals(a.getStatus().getActiveKeyId()));
        assertThat(rotated.getStatus().getKeys()).extracting(KeyStatus::getId, KeyStatus::getState)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(old.kid(), "retiring"),
                        org.assertj.core.groups.Tuple.tuple(fresh.kid(), "active"));
        assertThat(rotated.getStatus().getKeys().get(0).getRetireAfter())
                .isEqualTo(activation.plus(Duration.ofMinutes(15 + 2)).toString());
        assertThat(ring(auth).active().kid()).isEqualTo(fresh.kid());
        assertThat(bundle(auth)).isEqualTo(old.certificatePem() + fresh.certificatePem());
        await("KeyRotated event", () -> events(auth),
                e -> e.stream().anyMatch(x -> x.getReason().equals("KeyRotated")));

        // Every token the old key signed has expired: it leaves the bundle.
        cluster.clock.advance(Duration.ofMinutes(17));
        cluster.poke(auth);
        await("old key removed", () -> keys(auth), k -> k.size() == 1 && states(k).equals(List.of("active")));
        await("bundle with the new key only", () -> bundle(auth), b -> b.equals(fresh.certificatePem()));
        assertThat(ring(auth).published()).extracting(SigningKey::kid).containsExactly(fresh.kid());
    }

    @Test
    void keysInTheStatusStayExactWhileTheOperatorsCacheOfTheRegistryAuthLags() {
        cluster.start(cluster.settings());
        RegistryAuth auth = rotating(null);
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        SigningKey old = ring(auth).active();
        // A restarted operator whose cache keeps the status it listed: only its own writes can tell it more.
        cluster.stopOperator();
        cluster.silenceRegistryAuthWatches();
        cluster.start(cluster.settings());
        await("silenced RegistryAuth watch", cluster::silencedWatches, n -> n > 0);

        cluster.clock.advance(Duration.ofHours(1));
        cluster.poke(auth);
        await("pending key", () -> keys(auth), k -> states(k).contains("pending"));
        cluster.clock.advance(Duration.ofMinutes(10));
        cluster.poke(auth);
        RegistryAuth rotated = await("rotation", () -> cluster.get(auth),
                a -> !old.kid().equals(a.getStatus().getActiveKeyId()));
        assertThat(rotated.getStatus().getKeys()).extracting(KeyStatus::getId, KeyStatus::getState)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(old.kid(), "retiring"),
                        org.assertj.core.groups.Tuple.tuple(rotated.getStatus().getActiveKeyId(), "active"));
        cluster.clock.advance(Duration.ofMinutes(17));
        cluster.poke(auth);
        await("old key removed", () -> keys(auth), k -> k.size() == 1 && states(k).equals(List.of("active")));
    }

    @Test
    void withADeploymentTheNewKeySignsOnlyAfterTheRolloutOfItsBundle() throws Exception {
        cluster.client.resource(registryDeployment()).create();
        cluster.start(cluster.settings());
        RegistrySpec registry = new RegistrySpec();
        registry.setDeployment("registry");
        registry.setHost("registry.example.com");
        RegistryAuth auth = rotating(registry);

        Deployment wired = await("wired Deployment", this::deployment,
                d -> bundleHash(d) != null && bundle(auth) != null && bundleHash(d).equals(sha256(bundle(auth))));
        Container container = wired.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(ResourceNames.VOLUME);
            assertThat(m.getMountPath()).isEqualTo("/etc/registry-auth");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(container.getEnvFrom()).anySatisfy(e ->
                assertThat(e.getConfigMapRef().getName()).isEqualTo("main-registry-auth"));
        assertThat(wired.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v ->
                assertThat(v.getConfigMap().getName()).isEqualTo("main-registry-auth"));
        assertThat(wired.getSpec().getTemplate().getSpec().getContainers().get(1).getVolumeMounts()).isNullOrEmpty();
        assertThat(wired.getMetadata().getLabels()).containsEntry(ResourceNames.REGISTRY_AUTH_LABEL, "main");
        finishRollout();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        SigningKey old = ring(auth).active();

        cluster.clock.advance(Duration.ofHours(1));
        cluster.poke(auth);
        await("pending key", () -> keys(auth), k -> states(k).contains("pending"));
        String newBundle = await("bundle with both keys", () -> bundle(auth), b -> b.startsWith(old.certificatePem())
                && b.length() > old.certificatePem().length());
        Deployment rolling = await("new bundle stamped", this::deployment,
                d -> sha256(newBundle).equals(bundleHash(d)));
        assertThat(rolling.getMetadata().getGeneration())
                .as("the stamp changed the pod template, so the status no longer describes it")
                .isGreaterThan(rolling.getStatus().getObservedGeneration());

        // Rollout in progress, hours later: the pending key must still wait.
        cluster.clock.advance(Duration.ofHours(3));
        cluster.poke(auth);
        Thread.sleep(1500);
        assertThat(cluster.get(auth).getStatus().getActiveKeyId()).isEqualTo(old.kid());
        assertThat(states(keys(auth))).containsExactlyInAnyOrder("active", "pending");

        finishRollout();
        RegistryAuth rotated = await("rotation after rollout", () -> cluster.get(auth),
                a -> !old.kid().equals(a.getStatus().getActiveKeyId()));
        assertThat(states(rotated.getStatus().getKeys())).containsExactlyInAnyOrder("retiring", "active");
        // Turning active does not change the bundle, so the registry is not rolled again.
        assertThat(bundleHash(deployment())).isEqualTo(sha256(newBundle));
    }

    @Test
    void missingDeploymentIsReportedAndWiredOnceItExists() {
        cluster.start(cluster.settings());
        RegistrySpec registry = new RegistrySpec();
        registry.setDeployment("registry");
        RegistryAuth auth = rotating(registry);
        await("DeploymentNotFound", () -> cluster.get(auth),
                a -> "False/DeploymentNotFound".equals(RegistryAuthReconcilerTest.readyReason(a)));
        assertThat(cluster.signingSecret(auth)).isNotNull();

        cluster.client.resource(registryDeployment()).create();
        cluster.poke(auth);
        await("wired Deployment", this::deployment, d -> bundleHash(d) != null);
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
    }

    private Deployment deployment() {
        return cluster.client.apps().deployments().inNamespace("registry").withName("registry").get();
    }

    /** What the Deployment controller would write once every pod runs the current template. */
    private void finishRollout() {
        Deployment current = deployment();
        current.setStatus(new DeploymentStatusBuilder()
                .withObservedGeneration(current.getMetadata().getGeneration())
                .withReplicas(1).withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
                .build());
        cluster.client.apps().deployments().inNamespace("registry").resource(current).updateStatus();
    }

    private static Deployment registryDeployment() {
        return new DeploymentBuilder()
                .withNewMetadata().withName("registry").withNamespace("registry").endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector().addToMatchLabels("app", "registry").endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", "registry").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("registry").withImage("registry:2").endContainer()
                .addNewContainer().withName("sidecar").withImage("busybox").endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static String bundleHash(Deployment deployment) {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(ResourceNames.BUNDLE_HASH_ANNOTATION);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Event> events(RegistryAuth auth) {
        return cluster.client.v1().events().inNamespace("registry").list().getItems().stream()
                .filter(e -> Objects.equals(auth.getMetadata().getName(), e.getInvolvedObject().getName()))
                .toList();
    }
}
