package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
  * Runs the CRDs' x-kubernetes-validations (CEL) rules on objects users write, the way the API server does
  * when it admits them: every rule at every node that is present, with {@code self} bound to that node.
  */
class ValidationRulesTest {

    private static final Cel CEL =
            CelFactory.standardCelBuilder()
                    .addVar("self", SimpleType.DYN)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .build();

    @Test
    void everyRuleCompiles() throws CelValidationException {
        for (String crd : List.of("registryauths.registryauth.io-v1.yml", "repositoryaccesses.registryauth.io-v1.yml")) {
            List<String> rules = new ArrayList<>();
            collectRules(schema(crd), rules);
            assertThat(rules).as("rules in %s", crd).isNotEmpty();
            for (String rule : rules) {
                assertThat(CEL.compile(rule).getAst().getResultType()).as(rule).isIn(SimpleType.BOOL, SimpleType.DYN);
            }
        }
    }

    @Test
    void providersWithDistinctNamesAreAdmitted() {
        assertThat(registryAuthViolations("""
                spec:
                  service: registry.example.com
                  authentication:
                    oidc:
                      - {name: corp, issuer: "https://idp.example.com/realms/corp"}
                      - {name: partner, issuer: "https://idp.example.com/realms/partner"}
                """)).isEmpty();
    }

    @Test
    void twoProvidersOfTheSameNameAreRefused() {
        assertThat(registryAuthViolations("""
                spec:
                  service: registry.example.com
                  authentication:
                    oidc:
                      - {name: corp, issuer: "https://idp.example.com/realms/corp"}
                      - {name: corp, issuer: "https://idp.example.com/realms/other"}
                """)).containsExactly(".spec.authentication.oidc: oidc provider names must be unique");
    }

    @Test
    void workloadProvidersNeedDistinctNamesAndIssuers() {
        assertThat(registryAuthViolations("""
                spec:
                  service: registry.example.com
                  authentication:
                    workloadIdentity:
                      - {name: github, issuer: "https://token.actions.githubusercontent.com"}
                      - {name: gitlab, issuer: "https://gitlab.example.com"}
                """)).isEmpty();
        assertThat(registryAuthViolations("""
                spec:
                  service: registry.example.com
                  authentication:
                    workloadIdentity:
                      - {name: github, issuer: "https://token.actions.githubusercontent.com"}
                      - {name: github2, issuer: "https://token.actions.githubusercontent.com"}
                """)).containsExactly(".spec.authentication.workloadIdentity: workload identity provider issuers must be unique");
        assertThat(registryAuthViolations("""
                spec:
                  service: registry.example.com
                  authentication:
                    oidc:
                      - {name: corp, issuer: "https://gitlab.example.com"}
                    workloadIdentity:
                      - {name: gitlab, issuer: "https://gitlab.example.com"}
                """)).containsExactly(".spec.authentication: an issuer is either a workload identity provider's or an"
                + " identity provider's (oidc), not both");
    }

    @Test
    void workloadSubjectsArePinnedNeverOnSubAndGlobOnlyOnRefLikeClaims() {
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  subjects:
                    - kind: Workload
                      provider: github
                      claims: {repository_owner_id: "1001", repository: acme/app}
                      claimPatterns: {ref: refs/heads/main}
                      condition: "claims.ref_protected == 'true'"
                  repositories: ["${claims.repository}/**"]
                  actions: [push]
                """)).isEmpty();
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  subjects: [{kind: Workload, provider: github, claimPatterns: {ref: refs/heads/main}}]
                  repositories: ["acme/**"]
                  actions: [push]
                """)).containsExactly(".spec.subjects[0]: a Workload subject names its provider and pins at least one"
                + " claim to an exact value");
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  subjects:
                    - {kind: Workload, provider: github, claims: {sub: "repo:acme/app:ref:refs/heads/main"}}
                    - {kind: Workload, provider: github, claims: {repository_id: "1"}, claimPatterns: {repository: "acme/*"}}
                    - {kind: User, name: alice, provider: github}
                    - {kind: Workload, provider: github, claims: {"bad-name": "1"}}
                  repositories: ["acme/**"]
                  actions: [push]
                """)).containsExactlyInAnyOrder(
                ".spec.subjects[0]: sub is never matched: match the claims it is made of (repository and ref,"
                        + " project_path and ref)",
                ".spec.subjects[1]: claimPatterns are allowed only on ref, base_ref, head_ref, environment, workflow,"
                        + " workflow_ref, job_workflow_ref and ci_config_ref_uri",
                ".spec.subjects[2]: provider, claims, claimPatterns and condition belong to Workload subjects",
                ".spec.subjects[3]: claim names are letters, digits and '_', at most 64");
    }

    @Test
    void grantWithSubjectsOnlyIsAdmitted() {
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  subjects: [{kind: Group, name: developers}]
                  repositories: ["team-a/**"]
                  actions: [pull]
                """)).isEmpty();
    }

    @Test
    void grantWithCredentialsOnlyIsAdmitted() {
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  repositories: ["team-a/**"]
                  actions: [pull]
                  credentials: {secretName: team-a-pull, rotationPeriod: 24h}
                """)).isEmpty();
    }

    @Test
    void grantWithNeitherSubjectsNorCredentialsIsRefused() {
        String message = ".spec: a grant needs subjects, credentials or both";
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  repositories: ["team-a/**"]
                  actions: [pull]
                """)).containsExactly(message);
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  subjects: []
                  repositories: ["team-a/**"]
                  actions: [pull]
                """)).containsExactly(message);
    }

    @Test
    void namedSubjectsStillNeedANameWhenCredentialsAreAskedFor() {
        assertThat(grantViolations("""
                spec:
                  registry: {name: main}
                  subjects: [{kind: User}, {kind: Anonymous}]
                  repositories: ["team-a/**"]
                  actions: [pull]
                  credentials: {secretName: team-a-pull}
                """)).containsExactly(".spec.subjects[0]: User, Group and ServiceAccount subjects need a name");
    }

    private static List<String> registryAuthViolations(String yaml) {
        return violations(schema("registryauths.registryauth.io-v1.yml"), parse(yaml), "");
    }

    @Test
    void aGracePeriodShorterThanTheRotationPeriodIsAdmitted() {
        assertThat(grantViolations(credentials("rotationPeriod: 24h, gracePeriod: 1h"))).isEmpty();
        assertThat(grantViolations(credentials("rotationPeriod: 1h30m, gracePeriod: 89m59s"))).isEmpty();
        assertThat(grantViolations(credentials("rotationPeriod: \"0\", gracePeriod: 48h"))).isEmpty();
        assertThat(grantViolations(credentials("rotationPeriod: 15s, gracePeriod: \"0\""))).isEmpty();
    }

    @Test
    void aGracePeriodReachingTheNextRotationIsRefused() {
        assertThat(grantViolations(credentials("rotationPeriod: 30m, gracePeriod: 1h")))
                .singleElement().asString().startsWith(".spec.credentials: gracePeriod must be shorter than rotationPeriod");
        assertThat(grantViolations(credentials("rotationPeriod: 1h, gracePeriod: 60m"))).hasSize(1);
    }

    @Test
    void aValidityPeriodMustEndAfterItStarts() {
        String grant = """
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: contractor}]
                  repositories: ["team-a/**"]
                  actions: [pull, push]
                  %s
                """;
        assertThat(grantViolations(grant.formatted("validUntil: \"2026-07-01T00:00:00Z\""))).isEmpty();
        // One second later, written in another zone: compared as instants, not as text.
        assertThat(grantViolations(grant.formatted(
                "validFrom: \"2026-07-01T00:00:00Z\"\n  validUntil: \"2026-07-01T02:00:01+02:00\""))).isEmpty();
        assertThat(grantViolations(grant.formatted(
                "validFrom: \"2026-07-01T00:00:00Z\"\n  validUntil: \"2026-07-01T02:00:00+02:00\"")))
                .containsExactly(".spec: validUntil must be after validFrom");
        assertThat(grantViolations(grant.formatted(
                "validFrom: \"2026-07-02T00:00:00Z\"\n  validUntil: \"2026-07-01T00:00:00Z\"")))
                .containsExactly(".spec: validUntil must be after validFrom");
    }

    @Test
    void timestampsAreRfc3339WithAZone() {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(Timestamps.PATTERN);
        assertThat(List.of("2026-07-01T00:00:00Z", "2026-07-01T00:00:00.25+02:00"))
                .allMatch(t -> pattern.matcher(t).matches());
        assertThat(List.of("2026-07-01", "2026-07-01T00:00:00", "2026-07-01 00:00:00Z", "tomorrow"))
                .noneMatch(t -> pattern.matcher(t).matches());
        assertThat(Timestamps.parse("2026-07-01T02:00:00+02:00")).isEqualTo(java.time.Instant.parse("2026-07-01T00:00:00Z"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Timestamps.parse("2026-13-01T00:00:00Z"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String credentials(String periods) {
        return """
                spec:
                  registry: {name: main}
                  repositories: ["team-a/**"]
                  actions: [pull]
                  credentials: {secretName: team-a-pull, %s}
                """.formatted(periods);
    }

    private static List<String> grantViolations(String yaml) {
        return violations(schema("repositoryaccesses.registryauth.io-v1.yml"), parse(yaml), "");
    }

    /** The messages of the rules that do not hold, each with the path of the node it was checked at. */
    private static List<String> violations(JSONSchemaProps schema, Object value, String path) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (schema.getXKubernetesValidations() != null) {
            schema.getXKubernetesValidations().forEach(rule -> {
                if (!Boolean.TRUE.equals(evaluate(rule.getRule(), value))) {
                    out.add(path + ": " + rule.getMessage());
                }
            });
        }
        if (value instanceof Map<?, ?> map && schema.getProperties() != null) {
            schema.getProperties().forEach((name, child) -> out.addAll(violations(child, map.get(name), path + "." + name)));
        }
        if (value instanceof List<?> list && schema.getItems() != null) {
            for (int i = 0; i < list.size(); i++) {
                out.addAll(violations(schema.getItems().getSchema(), list.get(i), path + "[" + i + "]"));
            }
        }
        return out;
    }

    private static Object evaluate(String rule, Object self) {
        try {
            return CEL.createProgram(CEL.compile(rule).getAst()).eval(Map.of("self", self));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new AssertionError("rule " + rule + " failed on " + self, e);
        }
    }

    private static void collectRules(JSONSchemaProps schema, List<String> rules) {
        if (schema.getXKubernetesValidations() != null) {
            schema.getXKubernetesValidations().forEach(rule -> rules.add(rule.getRule()));
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(child -> collectRules(child, rules));
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            collectRules(schema.getItems().getSchema(), rules);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String yaml) {
        return Serialization.unmarshal(yaml, LinkedHashMap.class);
    }

    private static JSONSchemaProps schema(String name) {
        try (InputStream in = ValidationRulesTest.class.getResourceAsStream("/META-INF/fabric8/" + name)) {
            assertThat(in).as("generated CRD %s on the class path", name).isNotNull();
            CustomResourceDefinition crd =
                    Serialization.unmarshal(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
