package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistrySpec;
import io.registryauth.operator.ResourceNames;
import org.junit.jupiter.api.Test;

class DeploymentWiringTest {

    private static RegistryAuth auth(String container) {
        RegistryAuth auth = new RegistryAuth();
        auth.getMetadata().setName("main");
        auth.getMetadata().setNamespace("registry");
        RegistrySpec registry = new RegistrySpec();
        registry.setDeployment("registry");
        registry.setContainer(container);
        auth.getSpec().setRegistry(registry);
        return auth;
    }

    private static Deployment deployment(long generation) {
        return new DeploymentBuilder()
                .withNewMetadata().withName("registry").withGeneration(generation).endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewTemplate().withNewSpec()
                .addNewContainer().withName("init-like").withImage("busybox").endContainer()
                .addNewContainer().withName("registry").withImage("registry:2").endContainer()
                .endSpec().endTemplate().endSpec()
                .build();
    }

    @Test
    void wiresTheRegistryContainerOnceAndRestampsOnlyOnANewBundle() {
        Deployment d = deployment(1);
        assertThat(DeploymentWiring.wire(d, auth(null), "hash-1")).isTrue();
        var registry = d.getSpec().getTemplate().getSpec().getContainers().get(1);
        assertThat(registry.getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/etc/registry-auth"));
        assertThat(registry.getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo("main-registry-auth"));
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts()).isNullOrEmpty();
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(ResourceNames.BUNDLE_HASH_ANNOTATION, "hash-1");

        assertThat(DeploymentWiring.wire(d, auth(null), "hash-1")).isFalse();
        assertThat(DeploymentWiring.wire(d, auth(null), "hash-2")).isTrue();
        assertThat(registry.getVolumeMounts()).hasSize(1);
        assertThat(registry.getEnvFrom()).hasSize(1);
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).hasSize(1);
    }

    @Test
    void namedContainerWinsAndAMissingOneIsReported() {
        assertThat(DeploymentWiring.container(deployment(1), auth("init-like").getSpec().getRegistry()))
                .hasValueSatisfying(c -> assertThat(c.getName()).isEqualTo("init-like"));
        assertThat(DeploymentWiring.container(deployment(1), auth("nope").getSpec().getRegistry())).isEmpty();
    }

    @Test
    void rolloutCountsOnlyWhenEveryReplicaRunsTheCurrentTemplate() {
        Deployment d = deployment(3);
        DeploymentWiring.wire(d, auth(null), "hash-1");
        assertThat(DeploymentWiring.rolledOutBundleHash(d)).as("no status yet").isNull();

        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(2L).withReplicas(2).withUpdatedReplicas(2)
                .withReadyReplicas(2).build());
        assertThat(DeploymentWiring.rolledOutBundleHash(d)).as("status of an older generation").isNull();

        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(3L).withReplicas(3).withUpdatedReplicas(1)
                .withReadyReplicas(2).build());
        assertThat(DeploymentWiring.rolledOutBundleHash(d)).as("old pods still running").isNull();

        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(3L).withReplicas(2).withUpdatedReplicas(2)
                .withReadyReplicas(1).build());
        assertThat(DeploymentWiring.rolledOutBundleHash(d)).as("a new pod not ready").isNull();

        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(3L).withReplicas(2).withUpdatedReplicas(2)
                .withReadyReplicas(2).build());
        assertThat(DeploymentWiring.rolledOutBundleHash(d)).isEqualTo("hash-1");
    }
}
