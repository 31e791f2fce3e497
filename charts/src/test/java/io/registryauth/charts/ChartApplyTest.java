package io.registryauth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rendered chart, applied to the Fabric8 mock API server in CRUD mode (CRDs first, then the templates in
 * Helm's install order, as `helm install` does), creates every object; and every field the templates write
 * is one the Kubernetes types know (a misspelt field would otherwise be dropped by the API server in silence).
 */
class ChartApplyTest {
    /** Every option on: the objects a full install can create. */
    static final String EVERYTHING = """
            namespace: {create: true}
            watchNamespaces: [team-a, team-b]
            trustedProxies: [10.244.0.0/16]
            logFormat: json
            extraEnv: [{name: ROTATION_LEAD_TIME, value: 15m}]
            networkPolicy:
              enabled: true
              from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
            monitoring:
              serviceMonitor: {enabled: true, labels: {release: prometheus}}
              prometheusRule: {enabled: true}
              dashboard: {enabled: true}
            """;

    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient(new VertxHttpClientFactory());
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.destroy();
    }

    @Test
    void manifestsRenderingCreatesEveryObject() {
        assertCreatesEveryObject(Chart.render(Chart.MANIFEST_VALUES));
    }

    @Test
    void everyOptionOnCreatesEveryObject() {
        // The Prometheus Operator's kinds exist where monitoring is turned on.
        client.resource(crd("monitoring.coreos.com", "ServiceMonitor", "servicemonitors")).create();
        client.resource(crd("monitoring.coreos.com", "PrometheusRule", "prometheusrules")).create();
        Chart.Rendering rendering = Chart.render(EVERYTHING);
        assertThat(rendering.objects()).extracting(HasMetadata::getKind).contains("Namespace", "NetworkPolicy",
                "ServiceMonitor", "PrometheusRule", "ConfigMap", "Role", "RoleBinding");
        assertCreatesEveryObject(rendering);
    }

    @Test
    void everyRenderedFieldIsAKubernetesField() {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : Chart.render(EVERYTHING).objects()) {
            if (!(object instanceof GenericKubernetesResource) && !(object instanceof CustomResourceDefinition)) {
                unknownFields(object, object.getKind() + " " + object.getMetadata().getName(), unknown, 0);
            }
        }
        assertThat(unknown).isEmpty();
    }

    private void assertCreatesEveryObject(Chart.Rendering rendering) {
        KubernetesSerialization serialization = client.getKubernetesSerialization();
        List<HasMetadata> objects = rendering.objects();
        assertThat(objects.get(0).getKind()).as("CRDs come first").isEqualTo("CustomResourceDefinition");
        for (HasMetadata object : objects) {
            HasMetadata created = client.resource(object).create();
            assertThat(created.getMetadata().getUid()).as("%s %s", object.getKind(), object.getMetadata().getName())
                    .isNotBlank();
        }
        for (HasMetadata object : objects) {
            HasMetadata stored = client.resource(object).get();
            assertThat(stored).as("%s %s stored", object.getKind(), object.getMetadata().getName()).isNotNull();
            Map<String, Object> sent = content(serialization, object);
            Map<String, Object> got = content(serialization, stored);
            got.keySet().retainAll(sent.keySet());
            assertThat(got).as("%s %s as stored", object.getKind(), object.getMetadata().getName()).isEqualTo(sent);
            assertThat(stored.getMetadata().getLabels()).isEqualTo(object.getMetadata().getLabels());
        }
    }

    /** The object's fields beside metadata and status. */
    private static Map<String, Object> content(KubernetesSerialization serialization, HasMetadata object) {
        Map<String, Object> fields = new HashMap<>(
                serialization.convertValue(object, GenericKubernetesResource.class).getAdditionalProperties());
        fields.remove("status");
        return fields;
    }

    private static CustomResourceDefinition crd(String group, String kind, String plural) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(plural + "." + group).endMetadata()
                .withNewSpec().withGroup(group).withScope("Namespaced")
                .withNewNames().withKind(kind).withPlural(plural).withSingular(kind.toLowerCase()).endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .endVersion().endSpec().build();
    }

    /**
     * Fields the Fabric8 model did not recognise land in a type's additionalProperties: a rendered field
     * that is none of Kubernetes'.
     */
    private static void unknownFields(Object value, String path, List<String> unknown, int depth) {
        if (value == null || depth > 40) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, depth + 1));
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", unknown, depth + 1);
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(field, path + "." + getter.getName(), unknown, depth + 1);
            }
        }
    }
}
