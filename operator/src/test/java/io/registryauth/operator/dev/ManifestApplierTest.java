package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.registryauth.api.v1alpha1.RegistryAuth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestApplierTest {
    @TempDir
    Path dir;
    private EmbeddedApiServer api;
    private KubernetesClient client;
    private ManifestApplier applier;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(0);
        client = api.client();
        applier = new ManifestApplier(api);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private ManifestApplier.Outcome sync() {
        return applier.sync(List.of(dir));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    @Test
    void secretStringDataIsMergedIntoDataAsTheApiServerDoes() throws Exception {
        Files.writeString(dir.resolve("secret.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: users, namespace: registry}
                data:
                  kept: %s
                  both: %s
                stringData:
                  htpasswd: "alice:hash"
                  both: from-string-data
                """.formatted(Base64.getEncoder().encodeToString("old".getBytes()),
                Base64.getEncoder().encodeToString("from-data".getBytes())));

        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.errors()).isEmpty();
        Secret secret = client.secrets().inNamespace("registry").withName("users").get();
        assertThat(secret.getStringData()).isNullOrEmpty();
        assertThat(decode(secret.getData().get("htpasswd"))).isEqualTo("alice:hash");
        assertThat(decode(secret.getData().get("kept"))).isEqualTo("old");
        assertThat(decode(secret.getData().get("both"))).isEqualTo("from-string-data");
    }

    @Test
    void storesKindsItDoesNotRunAndDefaultsTheNamespace() throws Exception {
        Files.writeString(dir.resolve("objects.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: registry}
                spec:
                  selector: {matchLabels: {app: registry}}
                  template:
                    metadata: {labels: {app: registry}}
                    spec: {containers: [{name: registry, image: "registry:2"}]}
                ---
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w, namespace: team}
                spec: {size: 3}
                """);

        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.errors()).isEmpty();
        assertThat(outcome.applied()).hasSize(2);
        assertThat(client.apps().deployments().inNamespace("default").withName("registry").get()).isNotNull();
        GenericKubernetesResource widget = client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                        .withGroup("example.com").withVersion("v1").withKind("Widget").withPlural("widgets")
                        .withNamespaced(true).build())
                .inNamespace("team").withName("w").get();
        assertThat(widget.getAdditionalProperties().get("spec")).hasToString("{size=3}");
    }

    @Test
    void reappliesOnlyChangesAndDeletesWhatLeftTheFiles() throws Exception {
        Path file = dir.resolve("maps.yml");
        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                data: {k: "1"}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: b}
                data: {k: "1"}
                """);
        assertThat(sync().applied()).hasSize(2);
        assertThat(sync().changedAnything()).isFalse();

        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                data: {k: "2"}
                """);
        ManifestApplier.Outcome edited = sync();

        assertThat(edited.applied()).extracting(ManifestApplier.ObjectKey::name).containsExactly("a");
        assertThat(edited.deleted()).extracting(ManifestApplier.ObjectKey::name).containsExactly("b");
        assertThat(client.configMaps().inNamespace("default").withName("a").get().getData()).containsEntry("k", "2");
        assertThat(client.configMaps().inNamespace("default").withName("b").get()).isNull();

        Files.delete(file);
        assertThat(sync().deleted()).extracting(ManifestApplier.ObjectKey::name).containsExactly("a");
        assertThat(client.configMaps().inNamespace("default").withName("a").get()).isNull();
    }

    @Test
    void anObjectMovingToAnotherFileIsNotDeleted() throws Exception {
        String map = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: moving}
                data: {k: "1"}
                """;
        Files.writeString(dir.resolve("a.yaml"), map);
        sync();

        Files.delete(dir.resolve("a.yaml"));
        Files.writeString(dir.resolve("b.yaml"), map);
        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.deleted()).isEmpty();
        assertThat(client.configMaps().inNamespace("default").withName("moving").get()).isNotNull();
    }

    @Test
    void aBrokenFileIsReportedWithoutItsContentAndKeepsItsObjects() throws Exception {
        Path file = dir.resolve("secret.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: Secret
                metadata: {name: users}
                stringData: {password: first}
                """);
        sync();

        Files.writeString(file, """
                apiVersion: v1
                kind: Secret
                metadata: {name: users}
                stringData: {password: "s3cr3t-value
                """);
        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.errors()).singleElement().satisfies(error -> assertThat(error)
                .contains("secret.yaml").contains("invalid YAML at line").doesNotContain("s3cr3t"));
        assertThat(outcome.deleted()).isEmpty();
        assertThat(client.secrets().inNamespace("default").withName("users").get()).isNotNull();
    }

    @Test
    void documentsWithoutNamesAreRejectedWithTheirPosition() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: fine}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {}
                """);

        assertThat(sync().errors()).singleElement().satisfies(error -> assertThat(error)
                .contains("bad.yaml").contains("document 2").contains("metadata.name"));
    }

    @Test
    void namesThatCannotBeAPathAreRejectedWithTheirPosition() throws Exception {
        Files.writeString(dir.resolve("names.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: "a/../../secrets/x"}
                """);
        Files.writeString(dir.resolve("namespaces.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: fine, namespace: Not_A_Label}
                """);

        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.applied()).isEmpty();
        assertThat(outcome.errors()).hasSize(2).anySatisfy(error -> assertThat(error)
                .contains("names.yaml").contains("document 1").contains("metadata.name may not hold"))
                .anySatisfy(error -> assertThat(error).contains("namespaces.yaml").contains("metadata.namespace"));
        assertThat(client.secrets().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(client.configMaps().inAnyNamespace().list().getItems()).isEmpty();
    }

    /** Written in process, as over HTTP would: metadata filled in, watchers told, a change made by hand replaced. */
    @Test
    void writesGoToTheStoreWithItsChecksAndWatchEvents() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var watch = client.configMaps().inNamespace("team").watch(new io.fabric8.kubernetes.client.Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.ConfigMap map) {
                seen.add(action + " " + map.getMetadata().getName() + " " + map.getData());
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
            }
        })) {
            Path file = dir.resolve("map.yaml");
            Files.writeString(file, """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: settings, namespace: team}
                    data: {k: "1"}
                    """);
            assertThat(sync().errors()).isEmpty();
            var stored = client.configMaps().inNamespace("team").withName("settings").get();
            assertThat(stored.getMetadata().getUid()).isNotBlank();
            assertThat(stored.getMetadata().getResourceVersion()).isNotBlank();

            // Someone changes it with kubectl; the next edit of the file replaces it whole.
            client.configMaps().inNamespace("team").withName("settings").edit(m -> {
                m.getData().put("k", "by-hand");
                return m;
            });
            Files.writeString(file, Files.readString(file).replace("\"1\"", "\"2\""));
            assertThat(sync().errors()).isEmpty();
            assertThat(client.configMaps().inNamespace("team").withName("settings").get().getData())
                    .containsExactly(java.util.Map.entry("k", "2"));

            Files.delete(file);
            assertThat(sync().deleted()).extracting(ManifestApplier.ObjectKey::name).containsExactly("settings");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(seen).containsSubsequence("ADDED settings {k=1}", "MODIFIED settings {k=2}",
                    "DELETED settings {k=2}");
        }

    }

    /** The mock HTTP server keeps each request for tests to take; the dev mode's must not hold them for weeks. */
    @Test
    void theApiServerDoesNotHoldTheRequestsItServed() {
        for (int i = 0; i < 200; i++) {
            client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName("m" + i).endMetadata().addToData("k", "v").build()).create();
        }
        assertThat(client.configMaps().inNamespace("default").list().getItems()).hasSize(200);

        assertThat(api.heldRequests()).isLessThanOrEqualTo(2);
    }

    @Test
    void customResourcesFindTheirKindFromACrdInAnyFile() throws Exception {
        Files.writeString(dir.resolve("a-registry.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata: {name: main, namespace: registry}
                spec: {service: registry.example.com}
                """);
        try (var crd = RegistryAuth.class.getClassLoader()
                .getResourceAsStream("META-INF/fabric8/registryauths.registryauth.io-v1.yml")) {
            Files.write(dir.resolve("z-crd.yaml"), crd.readAllBytes());
        }

        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.errors()).isEmpty();
        RegistryAuth auth = client.resources(RegistryAuth.class).inNamespace("registry").withName("main").get();
        assertThat(auth.getSpec().getService()).isEqualTo("registry.example.com");
    }

    private static final String GOOD_GRANT = """
            apiVersion: registryauth.io/v1alpha1
            kind: RepositoryAccess
            metadata: {name: %s, namespace: registry}
            spec:
              registry: {name: main}
              subjects: [{kind: User, name: alice}]
              repositories: ["team-a/**"]
              actions: [pull]
            """;

    @Test
    void refusesWhatTheSchemaRefusesNamingFileDocumentAndFieldAndKeepsTheLastGoodVersion() throws Exception {
        for (Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type
                : List.of(RegistryAuth.class, io.registryauth.api.v1alpha1.RepositoryAccess.class)) {
            applier.installCrd(DevMode.crd(client, type));
        }
        Path file = dir.resolve("90-typo.yaml");
        Files.writeString(file, GOOD_GRANT.formatted("typo") + "---\n" + GOOD_GRANT.formatted("other"));
        assertThat(sync().errors()).isEmpty();

        Files.writeString(file, GOOD_GRANT.formatted("typo").replace("repositories:", "repositoryes:")
                + "---\n" + GOOD_GRANT.formatted("other").replace("team-a/**", "team-b/**")
                + "---\n" + GOOD_GRANT.formatted("wrong-type").replace("[pull]", "pull")
                + "---\n" + GOOD_GRANT.formatted("bad-enum").replace("[pull]", "[pul]")
                + "---\n" + GOOD_GRANT.formatted("no-registry").replace("registry: {name: main}", "catalog: true"));
        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.errors()).containsExactlyInAnyOrder(
                "90-typo.yaml: RepositoryAccess registry/typo: unknown field \"spec.repositoryes\" (document 1,"
                        + " line 1); not applied, its last good version stays",
                "90-typo.yaml: RepositoryAccess registry/wrong-type: field \"spec.actions\": string found, array"
                        + " expected (document 3, line 19); not applied, its last good version stays",
                "90-typo.yaml: RepositoryAccess registry/bad-enum: field \"spec.actions[0]\": does not have a value"
                        + " in the enumeration [\"*\", \"delete\", \"pull\", \"push\"] (document 4, line 28); not applied,"
                        + " its last good version stays",
                "90-typo.yaml: RepositoryAccess registry/no-registry: missing required field \"spec.registry\""
                        + " (document 5, line 37); not applied, its last good version stays");
        assertThat(outcome.applied()).extracting(ManifestApplier.ObjectKey::name).containsExactly("other");
        ResourceDefinitionContext grants = ResourceDefinitionContext.fromResourceType(
                io.registryauth.api.v1alpha1.RepositoryAccess.class);
        GenericKubernetesResource kept = client.genericKubernetesResources(grants).inNamespace("registry")
                .withName("typo").get();
        assertThat(kept.<List<String>>get("spec", "repositories")).containsExactly("team-a/**");
        assertThat(client.genericKubernetesResources(grants).inNamespace("registry").withName("wrong-type").get())
                .as("never applied").isNull();

        // Fixed: applied, and nothing was deleted on the way.
        Files.writeString(file, GOOD_GRANT.formatted("typo").replace("team-a/**", "team-c/**")
                + "---\n" + GOOD_GRANT.formatted("other").replace("team-a/**", "team-b/**"));
        ManifestApplier.Outcome fixed = sync();
        assertThat(fixed.errors()).isEmpty();
        assertThat(client.genericKubernetesResources(grants).inNamespace("registry").withName("typo").get()
                .<List<String>>get("spec", "repositories")).containsExactly("team-c/**");
    }

    /** A first start on many grants checks and writes them on several threads; errors still name file and document. */
    @Test
    void aLargeDirectoryIsAppliedWholeWithEachRefusalNamed() throws Exception {
        for (Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type
                : List.of(RegistryAuth.class, io.registryauth.api.v1alpha1.RepositoryAccess.class)) {
            applier.installCrd(DevMode.crd(client, type));
        }
        for (int file = 0; file < 10; file++) {
            StringBuilder grants = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                String grant = GOOD_GRANT.formatted("g" + (file * 20 + i));
                grants.append(file == 7 && i == 13 ? grant.replace("[pull]", "[pul]") : grant).append("---\n");
            }
            Files.writeString(dir.resolve("team-" + file + ".yaml"), grants);
        }

        ManifestApplier.Outcome outcome = sync();

        assertThat(outcome.applied()).hasSize(199);
        assertThat(outcome.errors()).singleElement().asString()
                .startsWith("team-7.yaml: RepositoryAccess registry/g153: field \"spec.actions[0]\"")
                .contains("(document 14, line ");
        ResourceDefinitionContext grants = ResourceDefinitionContext.fromResourceType(
                io.registryauth.api.v1alpha1.RepositoryAccess.class);
        assertThat(client.genericKubernetesResources(grants).inNamespace("registry").list().getItems()).hasSize(199);

        // Nothing changed on disk: nothing is sent again, and the refused document is refused again.
        ManifestApplier.Outcome again = sync();
        assertThat(again.applied()).isEmpty();
        assertThat(again.errors()).hasSize(1);

        // One file edited: only its changed document is sent.
        Path edited = dir.resolve("team-3.yaml");
        Files.writeString(edited, Files.readString(edited).replace("{name: g61, namespace: registry}",
                "{name: g61, namespace: registry, labels: {edited: \"yes\"}}"));
        assertThat(sync().applied()).extracting(ManifestApplier.ObjectKey::name).containsExactly("g61");
        assertThat(client.genericKubernetesResources(grants).inNamespace("registry").withName("g61").get()
                .getMetadata().getLabels()).containsEntry("edited", "yes");
    }

    @Test
    void theShippedExamplesPassTheSchemaCheck() {
        for (Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type
                : List.of(RegistryAuth.class, io.registryauth.api.v1alpha1.RepositoryAccess.class)) {
            applier.installCrd(DevMode.crd(client, type));
        }
        Path examples = Path.of(System.getProperty("user.dir")).getParent().resolve("manifests").resolve("examples");

        ManifestApplier.Outcome outcome = applier.sync(List.of(examples));

        assertThat(outcome.errors()).isEmpty();
        assertThat(outcome.applied()).isNotEmpty();
    }
}
