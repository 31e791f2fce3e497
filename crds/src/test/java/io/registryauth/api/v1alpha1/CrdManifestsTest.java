package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
  * The CRDs in manifests/ are copies of what the Fabric8 generator makes of the annotated types; this test
  * fails when a type changed and the copies were not refreshed.
  */
class CrdManifestsTest {

    static final String REFRESH_HINT =
            "The committed CRD manifest is out of date. Refresh it with"
                    + " `mvn -pl crds test -Dcrds.refresh=true` (it copies"
                    + " crds/target/classes/META-INF/fabric8/<plural>.registryauth.io-v1.yml to manifests/).";

    @ParameterizedTest
    @CsvSource({
        "registryauths.registryauth.io-v1.yml, 03-crd-registryauths.yaml",
        "repositoryaccesses.registryauth.io-v1.yml, 03-crd-repositoryaccesses.yaml"
    })
    void committedManifestMatchesGeneratedCrd(String generated, String committed) throws IOException {
        String fresh = normalize(generatedCrd(generated));
        Path manifest = manifestsDir().resolve(committed);
        if (Boolean.getBoolean("crds.refresh")) {
            Files.writeString(manifest, fresh);
        }
        if (!Files.exists(manifest)) {
            fail(manifest + " is missing. " + REFRESH_HINT);
        }
        String onDisk = normalize(Files.readString(manifest));
        if (!onDisk.equals(fresh)) {
            fail(manifest + " differs from the generated " + generated + ". " + REFRESH_HINT);
        }
    }

    @Test
    void registryAuthSchemaCarriesTheValidation() {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generatedCrd("registryauths.registryauth.io-v1.yml"));
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("rauth");
        assertThat(crd.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
        Map<String, JSONSchemaProps> spec = specProperties(crd);
        JSONSchemaProps signing = spec.get("signing");
        assertThat(signing.getProperties().get("algorithm").getEnum())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("\"ES256\"", "\"ES384\"", "\"RS256\"");
        assertThat(signing.getProperties().get("rotationPeriod").getPattern()).isEqualTo(Durations.PATTERN);
        assertThat(spec.get("service").getPattern()).isEqualTo(RegistryAuthSpec.SERVICE_PATTERN);
        assertThat(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
                        .get("spec").getRequired())
                .contains("service");
        assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(c -> c.getName())
                .contains("Service", "Ready", "Age");
    }

    @Test
    void repositoryAccessSchemaCarriesTheValidation() {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generatedCrd("repositoryaccesses.registryauth.io-v1.yml"));
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("racc");
        Map<String, JSONSchemaProps> spec = specProperties(crd);
        assertThat(spec.get("actions").getItems().getSchema().getEnum())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("\"pull\"", "\"push\"", "\"delete\"", "\"*\"");
        assertThat(spec.get("subjects").getItems().getSchema().getProperties().get("kind").getEnum())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder(
                        "\"User\"", "\"Group\"", "\"ServiceAccount\"", "\"Anonymous\"", "\"Authenticated\"");
        assertThat(spec.get("subjects").getMinItems()).isEqualTo(1L);
        assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(c -> c.getName())
                .contains("Subjects", "Repositories", "Ready", "Age");
    }

    private static Map<String, JSONSchemaProps> specProperties(CustomResourceDefinition crd) {
        return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
                .get("spec").getProperties();
    }

    private static String generatedCrd(String name) {
        try (InputStream in = CrdManifestsTest.class.getResourceAsStream("/META-INF/fabric8/" + name)) {
            assertThat(in).as("generated CRD %s on the class path", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path manifestsDir() {
        String dir = System.getProperty("manifests.dir");
        return dir != null ? Path.of(dir) : Path.of("..", "manifests");
    }

    private static String normalize(String yaml) {
        return yaml.replace("\r\n", "\n").strip() + "\n";
    }
}
