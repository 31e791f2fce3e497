package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.registryauth.operator.OperatorSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** manifests/0*.yaml: what `kubectl apply -f manifests/` installs, checked for the properties promised. */
class InstallManifestsTest {
    static final Path MANIFESTS = Path.of("..", "manifests");

    private static List<HasMetadata> documents() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d\\d-.*\\.yaml")).sorted()
                    .toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    Object parsed = Serialization.unmarshal(in);
                    if (parsed instanceof List<?> list) {
                        list.forEach(d -> all.add((HasMetadata) d));
                    } else {
                        all.add((HasMetadata) parsed);
                    }
                }
            }
        }
        return all;
    }

    @Test
    void installsEverythingInApplyOrder() throws IOException {
        assertThat(documents()).extracting(HasMetadata::getKind).containsExactly("Namespace", "ServiceAccount",
                "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "CustomResourceDefinition",
                "CustomResourceDefinition", "Deployment", "Service", "PodDisruptionBudget");
    }

    @Test
    void deploymentIsHardenedAndProbed() throws IOException {
        Deployment deployment = documents().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container operator = pod.getContainers().get(0);
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(operator.getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(5001));
        assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(operator.getEnv()).extracting(e -> e.getName())
                .contains(OperatorSettings.ENV_PUBLIC_REALM_URL, OperatorSettings.ENV_LEADER_ELECTION,
                        OperatorSettings.ENV_POD_NAMESPACE, OperatorSettings.ENV_POD_NAME,
                        OperatorSettings.ENV_TRUSTED_PROXIES);
    }

    @Test
    void drainsEvictTheRealmOneReplicaAtATime() throws IOException {
        List<HasMetadata> documents = documents();
        Deployment deployment = documents.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        PodDisruptionBudget budget = documents.stream().filter(PodDisruptionBudget.class::isInstance)
                .map(PodDisruptionBudget.class::cast).findFirst().orElseThrow();
        assertThat(budget.getMetadata().getNamespace()).isEqualTo(deployment.getMetadata().getNamespace());
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(deployment.getSpec().getReplicas()).isGreaterThan(budget.getSpec().getMinAvailable().getIntVal());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void clusterRoleGrantsNoWildcardsAndDeletesOnlyPullSecrets() throws IOException {
        ClusterRole role = documents().stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow();
        List<String> verbs = role.getRules().stream().flatMap(r -> r.getVerbs().stream()).toList();
        assertThat(verbs).doesNotContain("*", "deletecollection");
        assertThat(role.getRules()).filteredOn(r -> r.getVerbs().contains("delete"))
                .singleElement().satisfies(r -> assertThat(r.getResources()).containsExactly("secrets"));
        assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("serviceaccounts"))
                .singleElement().satisfies(r -> assertThat(r.getVerbs())
                        .containsExactly("get", "list", "watch", "patch"));
        assertThat(role.getRules()).flatExtracting(PolicyRule::getResources).doesNotContain("*");
        // Status is replaced under the resourceVersion read (PrimaryUpdateAndCacheUtils), never patched.
        assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("registryauths/status"))
                .singleElement().satisfies(r -> assertThat(r.getVerbs()).containsExactly("update"));
        assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("repositoryaccesses/status"))
                .singleElement().satisfies(r -> assertThat(r.getVerbs()).containsExactly("update"));
    }
}
