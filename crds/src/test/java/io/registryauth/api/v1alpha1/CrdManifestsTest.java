package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
        "registryauths.registryauth.io-v1.yml, 03-crd-registryauths.yaml, io.registryauth.api.v1alpha1.RegistryAuth",
        "repositoryaccesses.registryauth.io-v1.yml, 03-crd-repositoryaccesses.yaml,"
                + " io.registryauth.api.v1alpha1.RepositoryAccess"
    })
    void committedManifestMatchesGeneratedCrd(String generated, String committed, Class<?> type) throws IOException {
        String fresh = normalize(inDeclaredColumnOrder(generatedCrd(generated), type));
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

    @ParameterizedTest
    @CsvSource({
        "03-crd-registryauths.yaml, Service Ready Age",
        "03-crd-repositoryaccesses.yaml, Registry Subjects Repositories Validity Ready Age"
    })
    void kubectlShowsTheColumnsInTheirDeclaredOrder(String committed, String expected) throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(manifestsDir().resolve(committed)));
        List<String> shown = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .filter(c -> c.getPriority() == null || c.getPriority() == 0).map(c -> c.getName()).toList();
        assertThat(shown).containsExactly(expected.split(" "));
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
    void oidcProvidersAreValidatedByTheSchema() {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generatedCrd("registryauths.registryauth.io-v1.yml"));
        JSONSchemaProps oidc = specProperties(crd).get("authentication").getProperties().get("oidc");
        assertThat(oidc.getMaxItems()).isEqualTo((long) AuthenticationSpec.MAX_OIDC_PROVIDERS);
        assertThat(oidc.getXKubernetesValidations())
                .singleElement()
                .satisfies(rule -> assertThat(rule.getRule()).contains("exists_one(q, q.name == p.name)"));
        JSONSchemaProps provider = oidc.getItems().getSchema();
        assertThat(provider.getRequired()).containsExactlyInAnyOrder("name", "issuer");
        Map<String, JSONSchemaProps> fields = provider.getProperties();
        assertThat(fields).containsOnlyKeys(
                "name", "issuer", "audiences", "usernameClaim", "groupsClaim", "usernamePrefix", "fixedUsernames",
                "introspection", "caBundleRef", "recheckInterval", "sessionMaxAge", "cli");
        assertThat(fields.get("cli").getRequired()).containsExactly("clientId");
        assertThat(fields.get("name").getPattern()).isEqualTo(OidcProviderSpec.NAME_PATTERN);
        assertThat(fields.get("name").getMaxLength()).isEqualTo(63L);
        assertThat(fields.get("issuer").getPattern()).isEqualTo(OidcProviderSpec.ISSUER_PATTERN);
        assertThat(fields.get("usernameClaim").getDefault().asText()).isEqualTo("preferred_username");
        assertThat(fields.get("recheckInterval").getDefault().asText()).isEqualTo("5m");
        assertThat(fields.get("recheckInterval").getPattern()).isEqualTo(Durations.PATTERN);
        assertThat(fields.get("sessionMaxAge").getDefault().asText()).isEqualTo("12h");
        assertThat(fields.get("sessionMaxAge").getPattern()).isEqualTo(Durations.PATTERN);
        assertThat(fields.get("fixedUsernames").getItems().getSchema().getPattern())
                .isEqualTo(OidcProviderSpec.DOCKER_USERNAME_PATTERN);
        assertThat(fields.get("introspection").getRequired()).containsExactlyInAnyOrder("clientId", "clientSecretRef");
        assertThat(fields.get("introspection").getProperties().get("clientSecretRef").getRequired())
                .containsExactlyInAnyOrder("name", "key");
        assertThat(fields.get("caBundleRef").getRequired()).containsExactlyInAnyOrder("name", "key");
    }

    @Test
    void serviceAccountLoginIsInTheSchema() {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generatedCrd("registryauths.registryauth.io-v1.yml"));
        JSONSchemaProps serviceAccounts =
                specProperties(crd).get("authentication").getProperties().get("serviceAccounts");
        assertThat(serviceAccounts.getProperties()).containsOnlyKeys("enabled", "audiences", "allowLegacyTokens");
        assertThat(serviceAccounts.getProperties().get("enabled").getType()).isEqualTo("boolean");
        assertThat(serviceAccounts.getProperties().get("allowLegacyTokens").getType()).isEqualTo("boolean");
        assertThat(serviceAccounts.getProperties().get("audiences").getItems().getSchema().getType())
                .isEqualTo("string");
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
                        "\"User\"", "\"Group\"", "\"ServiceAccount\"", "\"Anonymous\"", "\"Authenticated\"", "\"Workload\"");
        assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(c -> c.getName())
                .contains("Subjects", "Repositories", "Ready", "Age", "Secret");
    }

    @Test
    void grantNeedsSubjectsUnlessItAsksForCredentials() {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generatedCrd("repositoryaccesses.registryauth.io-v1.yml"));
        JSONSchemaProps spec =
                crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).contains("registry").doesNotContain("subjects");
        assertThat(spec.getXKubernetesValidations())
                .anySatisfy(rule -> {
                    assertThat(rule.getRule())
                            .isEqualTo("has(self.credentials) || (has(self.subjects) && size(self.subjects) > 0)");
                    assertThat(rule.getMessage()).isEqualTo("a grant needs subjects, credentials or both");
                });
        assertThat(spec.getXKubernetesValidations()).extracting(r -> r.getMessage())
                .contains("validUntil must be after validFrom");
        assertThat(spec.getProperties().get("validUntil").getPattern()).isEqualTo(Timestamps.PATTERN);
    }

    @Test
    void generatedCredentialsAreValidatedByTheSchema() {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generatedCrd("repositoryaccesses.registryauth.io-v1.yml"));
        JSONSchemaProps credentials = specProperties(crd).get("credentials");
        assertThat(credentials.getRequired()).containsExactly("secretName");
        Map<String, JSONSchemaProps> fields = credentials.getProperties();
        assertThat(fields).containsOnlyKeys("secretName", "rotationPeriod", "gracePeriod", "serviceAccounts");
        assertThat(fields.get("secretName").getPattern()).isEqualTo(CredentialsSpec.DNS_SUBDOMAIN_PATTERN);
        assertThat(fields.get("secretName").getMaxLength()).isEqualTo(253L);
        assertThat(fields.get("rotationPeriod").getPattern()).isEqualTo(Durations.PATTERN);
        assertThat(fields.get("rotationPeriod").getDefault().asText()).isEqualTo("24h");
        assertThat(fields.get("gracePeriod").getPattern()).isEqualTo(Durations.PATTERN);
        assertThat(fields.get("gracePeriod").getDefault().asText()).isEqualTo("1h");
        JSONSchemaProps accountName = fields.get("serviceAccounts").getItems().getSchema();
        assertThat(accountName.getPattern()).isEqualTo(CredentialsSpec.DNS_SUBDOMAIN_PATTERN);
        assertThat(accountName.getMaxLength()).isEqualTo(253L);

        JSONSchemaProps status = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties().get("status").getProperties().get("credentials");
        assertThat(status.getProperties()).containsKeys("secretName", "robot", "rotatedAt", "previousValidUntil");
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

    /**
     * The generator sorts printer columns by JSON path, which puts Age first; kubectl shows them in list
     * order, so the committed copy lists the columns of annotated fields first, then the type's own in the
     * order it declares them (ending with Ready and Age).
     */
    static String inDeclaredColumnOrder(String yaml, Class<?> type) {
        String[] lines = yaml.replace("\r\n", "\n").split("\n", -1);
        int start = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].equals("  - additionalPrinterColumns:")) {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            return yaml;
        }
        Map<String, List<String>> columns = new LinkedHashMap<>();
        List<String> current = null;
        int end = start;
        for (; end < lines.length; end++) {
            String line = lines[end];
            if (line.startsWith("    - ")) {
                current = new ArrayList<>();
            } else if (!line.startsWith("      ") || current == null) {
                break;
            }
            current.add(line);
            if (line.strip().startsWith("name: ")) {
                columns.put(line.strip().substring("name: ".length()).replace("\"", ""), current);
            }
        }
        List<List<String>> declared = new ArrayList<>();
        for (AdditionalPrinterColumn column : type.getAnnotationsByType(AdditionalPrinterColumn.class)) {
            List<String> item = columns.remove(column.name());
            if (item == null) {
                throw new IllegalStateException("column " + column.name() + " is not in the generated CRD");
            }
            declared.add(item);
        }
        List<String> out = new ArrayList<>(Arrays.asList(lines).subList(0, start));
        columns.values().forEach(out::addAll);
        declared.forEach(out::addAll);
        out.addAll(Arrays.asList(lines).subList(end, lines.length));
        return String.join("\n", out);
    }

    private static String normalize(String yaml) {
        return yaml.replace("\r\n", "\n").strip() + "\n";
    }
}
