package io.registryauth.operator.reconciler;

import static io.registryauth.operator.model.Fixtures.repository;
import static io.registryauth.operator.model.Fixtures.user;
import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.RegistryAuthOperator;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.operator.tolerance.TolerantSerialization;
import io.registryauth.operator.tolerance.Unreadable;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rows of "one bad object": a misspelt field, a wrong type, a broken second RegistryAuth and a field of a
 * newer CRD, beside good objects, at start and while running. The operator's and the feed's informers keep
 * running, the good grants are enforced, a good grant added afterwards is enforced, and the bad objects say
 * what is wrong in their status and in an Event.
 */
class OneBadObjectTest {
    private static final String SERVICE = "registry.example.com";
    private static final ResourceDefinitionContext GRANTS = new ResourceDefinitionContext.Builder()
            .withGroup("registryauth.io").withVersion("v1alpha1").withKind("RepositoryAccess")
            .withPlural("repositoryaccesses").withNamespaced(true).build();
    private static final ResourceDefinitionContext AUTHS = new ResourceDefinitionContext.Builder()
            .withGroup("registryauth.io").withVersion("v1alpha1").withKind("RegistryAuth")
            .withPlural("registryauths").withNamespaced(true).build();

    private MockCluster cluster;
    private RealmState state;
    private RealmFeed feed;
    private RegistryAuthOperator operator;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        installNewerGrantCrd();
        state = new RealmState();
        cluster.client.resource(cluster.registryAuth("registry", "main", SERVICE)).create();
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.close();
        }
        cluster.close();
    }

    /** The grant CRD one version ahead: spec.validUntil, which this operator does not know. */
    private void installNewerGrantCrd() {
        CustomResourceDefinition crd = cluster.client.apiextensions().v1().customResourceDefinitions()
                .withName("repositoryaccesses.registryauth.io").get();
        JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
                .get("spec");
        JSONSchemaProps validUntil = new JSONSchemaProps();
        validUntil.setType("string");
        spec.getProperties().put("validUntil", validUntil);
        crd.getMetadata().setResourceVersion(null);
        cluster.client.resource(crd).update();
    }

    private void runOperatorAndFeed() {
        OperatorSettings settings = cluster.settings();
        RealmProblemSignal problems = new RealmProblemSignal();
        feed = RealmFeed.start(cluster.client, settings, state, problems);
        operator = cluster.start(settings, problems);
    }

    private void apply(ResourceDefinitionContext kind, String yaml) {
        GenericKubernetesResource object = cluster.client.getKubernetesSerialization()
                .unmarshal(yaml, GenericKubernetesResource.class);
        cluster.client.genericKubernetesResources(kind).inNamespace(object.getMetadata().getNamespace())
                .resource(object).create();
    }

    private static String grant(String name, String user, String repositories, String extra) {
        return """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata: {namespace: registry, name: %s}
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: %s}]
                %s
                """.formatted(name, user, (repositories + "\n" + extra).indent(2));
    }

    private boolean allows(Identity who, ResourceScope scope) {
        return state.current().realm(SERVICE)
                .map(r -> !r.policy().authorize(who, List.of(scope)).isEmpty()).orElse(false);
    }

    private void addTheBadOnes() {
        apply(GRANTS, grant("typo", "mallory", "repositoryes: [\"**\"]", "actions: [pull]"));
        apply(GRANTS, grant("wrong-type", "mallory", "repositories: [\"**\"]", "actions: pull"));
        apply(GRANTS, grant("newer", "bob", "repositories: [\"team-b/**\"]",
                "actions: [pull]\nvalidUntil: \"2030-01-01T00:00:00Z\""));
        apply(AUTHS, """
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata: {namespace: registry, name: second}
                spec:
                  service: second.example.com
                  authentication: {anonymous: maybe}
                """);
    }

    private RepositoryAccess grantNamed(String name) {
        return cluster.client.resources(RepositoryAccess.class).inNamespace("registry").withName(name).get();
    }

    private static String condition(RepositoryAccess grant, String type) {
        return grant.getStatus() == null ? null
                : grant.getStatus().condition(type).map(c -> c.getStatus() + "/" + c.getReason()).orElse(null);
    }

    private void assertTheBadOnesAreReportedAndTheGoodOnesServe() {
        await("alice's grant enforced", () -> allows(user("alice"), repository("team-a/app", "pull")), b -> b);
        await("the newer CRD's grant enforced, its unknown field ignored",
                () -> allows(user("bob"), repository("team-b/app", "pull")), b -> b);

        RepositoryAccess wrongType = await("wrong type reported", () -> grantNamed("wrong-type"),
                g -> ("False/" + Unreadable.REASON).equals(condition(g, "Ready")));
        assertThat(wrongType.getStatus().condition("Ready").orElseThrow().getMessage())
                .startsWith("field \"spec.actions\" must be a list").contains("not enforced");
        assertThat(allows(user("mallory"), repository("anything", "pull"))).isFalse();
        // A misspelt field is an unknown one: tolerated, and the grant it leaves without repositories is rejected.
        await("misspelt grant rejected", () -> grantNamed("typo"), g -> condition(g, "Accepted") != null
                && condition(g, "Accepted").startsWith("False/"));

        RegistryAuth second = await("broken RegistryAuth reported", () -> cluster.client.resources(RegistryAuth.class)
                .inNamespace("registry").withName("second").get(),
                a -> ("False/" + Unreadable.REASON).equals(RegistryAuthReconcilerTest.readyReason(a)));
        assertThat(second.getStatus().condition("Ready").orElseThrow().getMessage())
                .startsWith("field \"spec.authentication.anonymous\" must be true or false");
        await("a Warning Event names the field", () -> cluster.client.v1().events().inNamespace("registry").list()
                .getItems(), events -> events.stream().anyMatch(e -> "second".equals(e.getInvolvedObject().getName())
                && Unreadable.REASON.equals(e.getReason()) && e.getMessage().contains("spec.authentication.anonymous")));
        await("main stays Ready", () -> cluster.client.resources(RegistryAuth.class).inNamespace("registry")
                .withName("main").get(), RegistryAuthReconcilerTest::ready);

        await("the feed counts the two it cannot read", () -> state.gauges().stream()
                .filter(g -> g.name().equals("registry_auth_unreadable_objects")).findFirst().orElseThrow()
                .value().getAsDouble(), n -> n == 2.0);

        apply(GRANTS, grant("after", "carol", "repositories: [\"team-c/**\"]", "actions: [pull, push]"));
        await("a good grant added after the bad ones is enforced",
                () -> allows(user("carol"), repository("team-c/app", "push")), b -> b);
        assertThat(operator.operator().getRuntimeInfo().allEventSourcesAreHealthy()).isTrue();
        assertThat(feed.synced()).isTrue();
    }

    @Test
    void badObjectsPresentAtStartCostOnlyThemselves() {
        long unreadableBefore = TolerantSerialization.unreadableTotal();
        apply(GRANTS, grant("alice", "alice", "repositories: [\"team-a/**\"]", "actions: [pull]"));
        addTheBadOnes();

        runOperatorAndFeed();

        assertTheBadOnesAreReportedAndTheGoodOnesServe();
        assertThat(TolerantSerialization.unreadableTotal()).isGreaterThanOrEqualTo(unreadableBefore + 2);
    }

    @Test
    void badObjectsAddedWhileRunningCostOnlyThemselves() {
        apply(GRANTS, grant("alice", "alice", "repositories: [\"team-a/**\"]", "actions: [pull]"));
        runOperatorAndFeed();
        await("alice's grant enforced", () -> allows(user("alice"), repository("team-a/app", "pull")), b -> b);

        addTheBadOnes();

        assertTheBadOnesAreReportedAndTheGoodOnesServe();
    }

    @Test
    void aRegistryAuthEditedIntoSomethingUnreadableKeepsItsRealm() {
        apply(GRANTS, grant("alice", "alice", "repositories: [\"team-a/**\"]", "actions: [pull]"));
        runOperatorAndFeed();
        await("alice's grant enforced", () -> allows(user("alice"), repository("team-a/app", "pull")), b -> b);

        // The operator may be writing the RegistryAuth's status meanwhile: read again and retry on a conflict.
        for (int attempt = 1; ; attempt++) {
            GenericKubernetesResource main = cluster.client.genericKubernetesResources(AUTHS).inNamespace("registry")
                    .withName("main").get();
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> spec = (java.util.Map<String, Object>) main.getAdditionalProperties()
                    .get("spec");
            spec.put("token", "ten minutes");
            try {
                cluster.client.genericKubernetesResources(AUTHS).inNamespace("registry").resource(main).update();
                break;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }

        await("reported", () -> cluster.client.resources(RegistryAuth.class).inNamespace("registry")
                .withName("main").get(), a -> ("False/" + Unreadable.REASON).equals(
                        RegistryAuthReconcilerTest.readyReason(a)));
        apply(GRANTS, grant("after", "carol", "repositories: [\"team-c/**\"]", "actions: [pull]"));
        await("the realm, from the version read before, still takes new grants",
                () -> allows(user("carol"), repository("team-c/app", "pull")), b -> b);
        assertThat(allows(user("alice"), repository("team-a/app", "pull"))).isTrue();
    }
}
