package io.registryauth.operator.tolerance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One list as an informer reads it: one object that cannot be read costs only itself. */
class TolerantSerializationTest {
    private final KubernetesSerialization serialization = TolerantSerialization.create();

    private static String grant(String name, String spec) {
        return """
                {"apiVersion": "registryauth.io/v1alpha1", "kind": "RepositoryAccess",
                 "metadata": {"name": "%s", "namespace": "team", "uid": "u-%s", "resourceVersion": "1",
                              "generation": 1},
                 "spec": %s,
                 "status": {"observedGeneration": 1}}
                """.formatted(name, name, spec);
    }

    private List<RepositoryAccess> readList(String... items) {
        String json = "{\"apiVersion\": \"registryauth.io/v1alpha1\", \"kind\": \"RepositoryAccessList\","
                + " \"metadata\": {}, \"items\": [" + String.join(",", items) + "]}";
        return serialization.unmarshal(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                new TypeReference<DefaultKubernetesResourceList<RepositoryAccess>>() { }).getItems();
    }

    @Test
    void aWrongTypeDeepInsideMarksOnlyItsObjectWithTheFieldPath() {
        List<RepositoryAccess> read = readList(
                grant("good", "{\"repositories\": [\"team/**\"], \"actions\": [\"pull\"]}"),
                grant("bad-enum", "{\"subjects\": [{\"kind\": \"User\", \"name\": \"a\"}, {\"kind\": \"Robot\","
                        + " \"name\": \"b\"}], \"actions\": [\"pull\"]}"),
                grant("newer", "{\"repositories\": [\"x/**\"], \"actions\": [\"pull\"],"
                        + " \"validUntil\": \"2030-01-01T00:00:00Z\", \"subjects\": [{\"kind\": \"User\", \"name\": \"c\","
                        + " \"expires\": {\"at\": 1}}]}"));

        assertThat(read).extracting(g -> g.getMetadata().getName()).containsExactly("good", "bad-enum", "newer");
        assertThat(Unreadable.problem(read.get(0))).isEmpty();
        RepositoryAccess bad = read.get(1);
        assertThat(Unreadable.problem(bad)).hasValue(
                "field \"spec.subjects[1].kind\" must be one of [User, Group, ServiceAccount, Anonymous, Authenticated, Workload]");
        assertThat(bad.getSpec()).as("nothing of an unreadable spec is used").isNull();
        assertThat(bad.getStatus().getObservedGeneration()).as("its status is kept, so it can be updated").isEqualTo(1L);
        assertThat(bad.getMetadata().getUid()).isEqualTo("u-bad-enum");
        RepositoryAccess newer = read.get(2);
        assertThat(Unreadable.problem(newer)).as("unknown fields are tolerated").isEmpty();
        assertThat(newer.getSpec().getRepositories()).containsExactly("x/**");
        assertThat(newer.getSpec().getSubjects().get(0).getName()).isEqualTo("c");
    }

    @Test
    void aMarkedCopySurvivesTheCloneJosdkMakes() {
        RepositoryAccess bad = readList(grant("wrong", "{\"actions\": \"pull\"}")).get(0);

        RepositoryAccess clone = serialization.clone(bad);

        assertThat(Unreadable.problem(clone)).hasValue("field \"spec.actions\" must be a list");
    }

    @Test
    void otherTypesAreReadAsFabric8ReadsThem() {
        var secret = serialization.unmarshal("{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"},"
                + " \"somethingNew\": 1}", io.fabric8.kubernetes.api.model.Secret.class);
        assertThat(secret.getAdditionalProperties()).containsEntry("somethingNew", 1);
    }
}
