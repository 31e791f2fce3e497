package io.registryauth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each documented value of the chart renders what values.yaml and the README say it does. */
class ChartValuesTest {
    private static final Pattern METRIC = Pattern.compile("registry_auth_[a-z_]+");

    @Test
    void lintsCleanExceptForTheMissingIcon() {
        var result = Chart.lint();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).containsExactly("[INFO] Chart.yaml: icon is recommended");
    }

    @Test
    void imageTagIsTheProjectVersion() throws IOException {
        String version = System.getProperty("project.version");
        assertThat(version).as("project.version (set by the pom)").isNotBlank();
        assertThat(Files.readString(Chart.DIR.resolve("Chart.yaml"))).contains("appVersion: \"" + version + "\"");
        assertThat(operator(Chart.render()).getImage()).isEqualTo("registry-auth-operator:" + version);
    }

    @Test
    void defaultsWatchEveryNamespaceWithOneClusterRole() {
        Chart.Rendering out = Chart.render();
        assertThat(out.all(Namespace.class)).as("Helm creates the namespace (--create-namespace)").isEmpty();
        ClusterRole role = out.one(ClusterRole.class);
        assertThat(role.getRules()).flatExtracting(PolicyRule::getResources).contains("registryauths", "secrets",
                "configmaps", "deployments", "events", "serviceaccounts", "tokenreviews");
        ClusterRoleBinding binding = out.one(ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertServiceAccount(s, out));
        // The only Role is the Lease's, in the release namespace.
        assertThat(out.all(Role.class)).singleElement().satisfies(r -> {
            assertThat(r.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
            assertThat(r.getRules()).singleElement().satisfies(rule -> assertThat(rule.getResources())
                    .containsExactly("leases"));
        });
        assertThat(env(out)).doesNotContainKeys("WATCH_NAMESPACES", "LOG_FORMAT")
                .containsEntry("LEADER_ELECTION", "true").containsEntry("LEASE_NAME", Chart.RELEASE)
                .containsEntry("TRUSTED_PROXIES", "");
        assertThat(out.objects()).extracting(HasMetadata::getKind)
                .doesNotContain("NetworkPolicy", "ServiceMonitor", "PrometheusRule", "ConfigMap");
    }

    @Test
    void watchNamespacesGivesARolePerNamespaceAndKeepsOnlyClusterWideNeedsInTheClusterRole() {
        ClusterRole clusterWide = Chart.render().one(ClusterRole.class);
        Chart.Rendering out = Chart.render("watchNamespaces: [team-a, team-b]\n");

        assertThat(env(out)).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
        ClusterRole role = out.one(ClusterRole.class);
        assertThat(role.getRules()).extracting(r -> r.getResources() + " " + r.getVerbs())
                .containsExactlyInAnyOrder("[serviceaccounts] [get]", "[tokenreviews] [create]");

        List<Role> namespaced = out.all(Role.class).stream()
                .filter(r -> !r.getMetadata().getName().endsWith("-leader-election")).toList();
        assertThat(namespaced).extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        List<PolicyRule> expected = clusterWide.getRules().stream()
                .filter(r -> !r.getResources().contains("tokenreviews")).toList();
        for (Role r : namespaced) {
            assertThat(r.getRules()).containsExactlyElementsOf(expected);
        }
        List<RoleBinding> bindings = out.all(RoleBinding.class).stream()
                .filter(b -> !b.getMetadata().getName().endsWith("-leader-election")).toList();
        assertThat(bindings).extracting(b -> b.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        for (RoleBinding b : bindings) {
            assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(b.getRoleRef().getName()).isEqualTo(namespaced.get(0).getMetadata().getName());
            assertThat(b.getSubjects()).singleElement().satisfies(s -> assertServiceAccount(s, out));
        }
        // The Lease stays in the operator's own namespace.
        assertThat(out.named(Role.class, Chart.RELEASE + "-leader-election").getMetadata().getNamespace())
                .isEqualTo(Chart.NAMESPACE);
    }

    @Test
    void realmUrlTrustedProxiesLogFormatAndExtraEnvBecomeEnvironment() {
        Chart.Rendering out = Chart.render("""
                realmPublicUrl: https://auth.corp.example/token
                trustedProxies: [10.244.0.0/16, "fd00::/8"]
                logFormat: json
                javaToolOptions: -XX:MaxRAMPercentage=60
                extraEnv:
                  - name: ROTATION_LEAD_TIME
                    value: 15m
                """);
        assertThat(env(out)).containsEntry("REALM_PUBLIC_URL", "https://auth.corp.example/token")
                .containsEntry("TRUSTED_PROXIES", "10.244.0.0/16,fd00::/8")
                .containsEntry("LOG_FORMAT", "json")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60")
                .containsEntry("ROTATION_LEAD_TIME", "15m");
    }

    @Test
    void leaderElectionCanBeTurnedOffForASingleReplicaOnly() {
        Chart.Rendering single = Chart.render("replicas: 1\nleaderElection:\n  enabled: false\n");
        assertThat(env(single)).containsEntry("LEADER_ELECTION", "false").doesNotContainKey("LEASE_NAME");
        assertThat(single.all(Role.class)).isEmpty();
        assertThat(single.all(PodDisruptionBudget.class)).as("a one-pod budget would block drains").isEmpty();

        assertThatThrownBy(() -> Chart.render("leaderElection:\n  enabled: false\n"))
                .hasMessageContaining("leaderElection.enabled=false needs replicas: 1");
        assertThat(env(Chart.render("leaderElection:\n  leaseName: realm-lease\n")))
                .containsEntry("LEASE_NAME", "realm-lease");
    }

    @Test
    void podSettingsReachThePod() {
        Chart.Rendering out = Chart.render("""
                image:
                  repository: registry.corp.example/platform/registry-auth-operator
                  tag: "1.2.3"
                  pullPolicy: Always
                imagePullSecrets: [{name: corp-pull}]
                replicas: 3
                resources:
                  requests: {cpu: 500m, memory: 384Mi}
                  limits: {memory: 768Mi}
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: platform, effect: NoSchedule}]
                affinity:
                  podAntiAffinity:
                    preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 100
                        podAffinityTerm:
                          topologyKey: kubernetes.io/hostname
                          labelSelector: {matchLabels: {app.kubernetes.io/name: registry-auth-operator}}
                priorityClassName: platform-critical
                podAnnotations: {example.com/team: platform}
                podSecurityContext: {runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001}
                podDisruptionBudget: {minAvailable: 2}
                """);
        Deployment deployment = out.one(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container operator = pod.getContainers().get(0);
        assertThat(operator.getImage()).isEqualTo("registry.corp.example/platform/registry-auth-operator:1.2.3");
        assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
        assertThat(pod.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("corp-pull"));
        assertThat(operator.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"))
                .containsEntry("memory", new Quantity("384Mi"));
        assertThat(operator.getResources().getLimits()).containsEntry("memory", new Quantity("768Mi"));
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getValue()).isEqualTo("platform"));
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .singleElement().satisfies(t -> assertThat(t.getPodAffinityTerm().getTopologyKey())
                        .isEqualTo("kubernetes.io/hostname"));
        assertThat(pod.getPriorityClassName()).isEqualTo("platform-critical");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("example.com/team", "platform");
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
        assertThat(out.one(PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        // Pod labels still match the selector after every override.
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void defaultPodIsNonRootWithAReadOnlyRootFilesystem() {
        Deployment deployment = Chart.render().one(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container operator = pod.getContainers().get(0);
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        // Writable: /tmp and the memory-backed snapshot directory; the signing-key copy is mounted read-only.
        assertThat(operator.getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactly("/tmp", "/var/lib/registry-auth/snapshot", "/etc/registry-auth/signing-keys");
        assertThat(operator.getVolumeMounts().get(2).getReadOnly()).isTrue();
        assertThat(pod.getVolumes().get(1).getEmptyDir().getMedium()).isEqualTo("Memory");
    }

    @Test
    void aBudgetThatWouldBlockEveryDrainIsRefused() {
        assertThatThrownBy(() -> Chart.render("podDisruptionBudget: {minAvailable: 2}\n"))
                .hasMessageContaining("podDisruptionBudget.minAvailable must be below replicas");
        assertThat(Chart.render("podDisruptionBudget: {enabled: false}\n").all(PodDisruptionBudget.class)).isEmpty();
        // --set types numbers as integers, a values file as floats: both are checked.
        assertThatThrownBy(() -> Chart.renderWithSet(Map.of("podDisruptionBudget.minAvailable", 2)))
                .hasMessageContaining("podDisruptionBudget.minAvailable must be below replicas");
        assertThat(Chart.renderWithSet(Map.of("replicas", 3, "podDisruptionBudget.minAvailable", 2))
                .one(PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(Chart.render("podDisruptionBudget: {minAvailable: \"50%\"}\n").one(PodDisruptionBudget.class)
                .getSpec().getMinAvailable().getStrVal()).isEqualTo("50%");
    }

    @Test
    void anotherReleaseNameGivesEveryObjectItsOwnName() {
        Chart.Rendering out = Chart.render("realm", "platform", "service:\n  name: \"\"\n");
        String name = "realm-registry-auth-operator";
        assertThat(out.one(ClusterRole.class).getMetadata().getName()).isEqualTo(name);
        assertThat(out.one(ServiceAccount.class).getMetadata().getNamespace()).isEqualTo("platform");
        assertThat(out.one(ClusterRoleBinding.class).getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getNamespace()).isEqualTo("platform"));
        assertThat(out.one(Service.class).getMetadata().getName()).isEqualTo(name);
        assertThat(env(out)).containsEntry("LEASE_NAME", name);
        assertThat(Chart.render("x", "platform", "fullnameOverride: realm\n").one(Deployment.class)
                .getMetadata().getName()).isEqualTo("realm");
    }

    @Test
    void networkPolicyAdmitsOnlyTheRealmPortOfTheOperatorPods() {
        Chart.Rendering out = Chart.render("""
                networkPolicy:
                  enabled: true
                  from:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
                """);
        NetworkPolicy policy = out.one(NetworkPolicy.class);
        Deployment deployment = out.one(Deployment.class);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal())
                    .isEqualTo(operator(out).getPorts().get(0).getContainerPort()));
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> assertThat(
                    peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "ingress-nginx"));
        });
    }

    @Test
    void serviceMonitorScrapesTheRealmService() {
        Chart.Rendering out = Chart.render("""
                monitoring:
                  serviceMonitor:
                    enabled: true
                    interval: 15s
                    labels: {release: prometheus}
                """);
        GenericKubernetesResource monitor = (GenericKubernetesResource) out.ofKind("ServiceMonitor").get(0);
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        Service service = out.one(Service.class);
        Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"));
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(
                strings(map(map(spec.get("selector")).get("matchLabels"))));
        assertThat(map(spec.get("namespaceSelector")).get("matchNames")).isEqualTo(List.of(Chart.NAMESPACE));
        Map<String, Object> endpoint = map(((List<?>) spec.get("endpoints")).get(0));
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName()).contains((String) endpoint.get("port"));
        assertThat(endpoint).containsEntry("path", "/metrics").containsEntry("interval", "15s")
                .containsEntry("honorLabels", true);
    }

    @Test
    void prometheusRuleAlertsOnMetricsTheRealmExports() throws IOException {
        Chart.Rendering out = Chart.render("""
                monitoring:
                  prometheusRule:
                    enabled: true
                    errorRatio: 0.1
                """);
        GenericKubernetesResource rule = (GenericKubernetesResource) out.ofKind("PrometheusRule").get(0);
        List<?> groups = (List<?>) map(rule.getAdditionalProperties().get("spec")).get("groups");
        List<Map<String, Object>> rules = groups.stream().flatMap(g -> ((List<?>) map(g).get("rules")).stream())
                .map(ChartValuesTest::map).toList();
        assertThat(rules).extracting(r -> r.get("alert")).containsExactlyInAnyOrder("RegistryAuthRealmDown",
                "RegistryAuthTokenErrors", "RegistryAuthTokenLatencyHigh", "RegistryAuthAuthenticationFailures",
                "RegistryAuthWorkRejected", "RegistryAuthSnapshotStale", "RegistryAuthServingPersistedSnapshot",
                "RegistryAuthUnreadableObjects", "RegistryAuthReconcileFailures", "RegistryAuthSigningKeyEnding",
                "RegistryAuthAuditLinesDropped");
        String exprs = rules.stream().map(r -> (String) r.get("expr")).collect(Collectors.joining("\n"));
        // Every series is selected by the scrape job the ServiceMonitor makes: the Service's name.
        String selector = "namespace=\"" + Chart.NAMESPACE + "\", job=\"" + out.one(Service.class).getMetadata().getName() + "\"";
        assertThat(rules).allSatisfy(r -> assertThat((String) r.get("expr")).contains(selector));
        assertThat(exprs).contains("> 0.1").as("seven days by default").contains("< 604800")
                .contains("registry_auth_snapshot_age_seconds{" + selector + "}) > 300");
        // Prometheus' own templating survives Helm's.
        assertThat(rules).extracting(r -> map(r.get("annotations")).get("summary").toString())
                .anySatisfy(s -> assertThat(s).contains("{{ $labels.service }}"));
        assertThat(metricNames(exprs)).isNotEmpty().isSubsetOf(exportedMetrics());
    }

    @Test
    void dashboardIsAConfigMapForGrafanasSidecarOverExportedMetrics() throws IOException {
        Chart.Rendering out = Chart.render("monitoring:\n  dashboard:\n    enabled: true\n    namespace: monitoring\n");
        ConfigMap dashboard = out.one(ConfigMap.class);
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("registry-auth.json"));
        assertThat(json.get("title").asText()).isEqualTo("Registry Auth");
        StringBuilder exprs = new StringBuilder();
        json.get("panels").forEach(panel -> panel.get("targets").forEach(t -> exprs.append(t.get("expr").asText()).append('\n')));
        assertThat(metricNames(exprs.toString())).hasSizeGreaterThanOrEqualTo(6).isSubsetOf(exportedMetrics());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "replica: 2",                     // misspelt key
        "replicas: two",                  // wrong type
        "replicas: 0",
        "image:\n  tga: latest",          // misspelt nested key
        "logFormat: xml",
        "watchNamespaces: team-a",        // a string where a list belongs
        "trustedProxies: [\"10.0.0.0/8 evil\"]",
        "leaderElection:\n  enable: false",
        "monitoring:\n  serviceMonitor:\n    enbled: true",
        "resources:\n  request: {cpu: 1}",
        "realmPublicUrl: auth.example.com/token",
    })
    void schemaRefusesMisspeltAndMistypedValues(String values) {
        assertThatThrownBy(() -> Chart.render(values + "\n"))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    void schemaRefusesAMisspeltValueOnTheCommandLineToo() {
        assertThatThrownBy(() -> Chart.renderWithSet(Map.of("replica", 3)))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replica");
        assertThat(Chart.renderWithSet(Map.of("replicas", 3)).one(Deployment.class).getSpec().getReplicas())
                .isEqualTo(3);
    }

    private static void assertServiceAccount(Subject subject, Chart.Rendering out) {
        ServiceAccount account = out.one(ServiceAccount.class);
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getName()).isEqualTo(account.getMetadata().getName());
        assertThat(subject.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        assertThat(out.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());
    }

    private static Container operator(Chart.Rendering out) {
        return out.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The operator container's plain-value environment (valueFrom entries map to null). */
    private static Map<String, String> env(Chart.Rendering out) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : operator(out).getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    private static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /**
     * Every registry_auth_* series the product exports: the names written in its sources, as the Prometheus
     * registry exposes them (a counter gets {@code _total}, a timer in seconds {@code _seconds_bucket},
     * {@code _seconds_sum} and {@code _seconds_count}; names already written that way stay as they are).
     */
    private static Set<String> exportedMetrics() throws IOException {
        Set<String> written = new TreeSet<>();
        for (String module : List.of("token-server", "operator")) {
            try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    written.addAll(metricNames(Files.readString(file)));
                }
            }
        }
        Set<String> names = new TreeSet<>();
        for (String name : written) {
            names.add(name);
            names.add(name + "_total");
            for (String suffix : List.of("_bucket", "_sum", "_count", "_max")) {
                names.add(name + "_seconds" + suffix);
            }
        }
        assertThat(written).as("metric names in the sources").contains("registry_auth_token_requests",
                "registry_auth_token_request_duration", "registry_auth_work_rejected");
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, String> strings(Map<String, Object> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
