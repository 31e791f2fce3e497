package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.model.RealmModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** manifests/examples is a working set: applied as written, everything in it becomes Ready. */
class ExampleManifestsTest {
    static final Path EXAMPLES = Path.of("..", "manifests", "examples");

    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private List<HasMetadata> documents() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    all.addAll(cluster.client.load(in).items());
                }
            }
        }
        return all;
    }

    @Test
    void exampleSetBecomesReadyAndEveryGrantIsAccepted() throws IOException {
        List<HasMetadata> documents = documents();
        assertThat(documents).extracting(HasMetadata::getKind)
                .contains("Namespace", "Secret", "RegistryAuth", "RepositoryAccess", "Deployment", "Service");
        cluster.start(cluster.settings());
        for (HasMetadata document : documents) {
            cluster.client.resource(document).create();
        }

        RegistryAuth main = await("example RegistryAuth Ready",
                () -> cluster.client.resources(RegistryAuth.class).inNamespace("registry").withName("main").get(),
                RegistryAuthReconcilerTest::ready);
        List<HasMetadata> grants = documents.stream().filter(d -> d.getKind().equals("RepositoryAccess")).toList();
        assertThat(grants).hasSizeGreaterThanOrEqualTo(2);
        // Grants in other namespaces than the registry's too: tenancy admits them.
        assertThat(grants).extracting(g -> g.getMetadata().getNamespace()).contains("registry", "team-a");
        for (HasMetadata grant : grants) {
            String namespace = grant.getMetadata().getNamespace();
            String name = grant.getMetadata().getName();
            await("grant " + namespace + "/" + name + " Ready",
                    () -> cluster.client.resources(RepositoryAccess.class).inNamespace(namespace).withName(name).get(),
                    g -> g.getStatus() != null && g.getStatus().condition("Ready")
                            .map(c -> c.getStatus().equals("True")).orElse(false));
        }

        // The example Deployment already carries the wiring; the operator only stamps the bundle hash.
        Deployment registry = await("registry Deployment stamped",
                () -> cluster.client.apps().deployments().inNamespace("registry").withName("registry").get(),
                d -> d.getSpec().getTemplate().getMetadata().getAnnotations() != null
                        && d.getSpec().getTemplate().getMetadata().getAnnotations()
                        .containsKey(ResourceNames.BUNDLE_HASH_ANNOTATION));
        assertThat(registry.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals(ResourceNames.VOLUME)).hasSize(1);
        assertThat(registry.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom()).hasSize(1);

        // The documented users and groups reach the realm.
        var realm = RealmModel.realm(new RealmModel.Inputs(main, cluster.signingSecret(main),
                cluster.client.secrets().inNamespace("registry").withName("registry-users").get(),
                cluster.client.secrets().inNamespace("registry").withName("registry-groups").get(), List.of()),
                cluster.settings()).realm().orElseThrow();
        assertThat(realm.users()).containsKeys("alice", "bob");
        assertThat(realm.users().get("alice").groups()).contains("developers");
        // The passwords the example's comment documents are the ones hashed.
        assertThat(BCrypt.verifyer().verify("wonderland".toCharArray(), realm.users().get("alice").bcryptHash())
                .verified).isTrue();
        assertThat(BCrypt.verifyer().verify("builder".toCharArray(), realm.users().get("bob").bcryptHash())
                .verified).isTrue();
    }
}
