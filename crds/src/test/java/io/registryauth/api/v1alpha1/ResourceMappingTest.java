package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The YAML users write (the contract) maps onto the types, and defaults apply when absent. */
class ResourceMappingTest {

    @Test
    void registryAuthFromYaml() {
        RegistryAuth auth =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RegistryAuth
                        metadata: {name: main, namespace: registry}
                        spec:
                            service: registry.example.com
                            issuer: registry-auth
                            realm: https://auth.example.com/token
                            token: {ttl: 15m, refreshTtl: 720h}
                            signing: {algorithm: ES384, rotationPeriod: 720h, rotationLeadTime: 10m}
                            authentication:
                                anonymous: true
                                htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
                                groups: {secretRef: {name: registry-groups, key: groups}}
                            tenancy: {namespaceRepositories: "${namespace}/**"}
                            registry: {deployment: registry, host: registry.example.com}
                        """,
                        RegistryAuth.class);
        RegistryAuthSpec spec = auth.getSpec();
        assertThat(spec.getService()).isEqualTo("registry.example.com");
        assertThat(spec.getToken().ttlDuration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(spec.getSigning().getAlgorithm()).isEqualTo(KeyAlgorithm.ES384);
        assertThat(spec.getSigning().rotationLeadTimeDuration()).contains(Duration.ofMinutes(10));
        assertThat(spec.getAuthentication().isAnonymous()).isTrue();
        assertThat(spec.getAuthentication().getHtpasswd().getSecretRef())
                .isEqualTo(new SecretKeyReference("registry-users", "htpasswd"));
        assertThat(spec.getTenancy().patternFor("team-a")).isEqualTo("team-a/**");
        assertThat(spec.getRegistry().getDeployment()).isEqualTo("registry");
        assertThat(spec.getRegistry().getMountPath()).isEqualTo(RegistrySpec.DEFAULT_MOUNT_PATH);
    }

    @Test
    void minimalRegistryAuthGetsTheSchemaDefaults() {
        RegistryAuth auth =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RegistryAuth
                        metadata: {name: main, namespace: registry}
                        spec: {service: 127.0.0.1:5000}
                        """,
                        RegistryAuth.class);
        RegistryAuthSpec spec = auth.getSpec();
        assertThat(spec.getToken().ttlDuration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(spec.getToken().refreshTtlDuration()).isEqualTo(Duration.ofHours(720));
        assertThat(spec.getSigning().getAlgorithm()).isEqualTo(KeyAlgorithm.ES256);
        assertThat(spec.getSigning().rotationPeriodDuration()).isEqualTo(Duration.ofHours(720));
        assertThat(spec.getSigning().rotationLeadTimeDuration()).isEmpty();
        assertThat(spec.getAuthentication().isAnonymous()).isFalse();
        assertThat(spec.getTenancy().patternFor("ns")).isEqualTo("ns/**");
        assertThat(spec.getRegistry()).isNull();
        assertThat(auth.getStatus()).isNull();
    }

    @Test
    void repositoryAccessFromYaml() {
        RepositoryAccess grant =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RepositoryAccess
                        metadata: {name: team-a-push, namespace: team-a}
                        spec:
                            registry: {name: main, namespace: registry}
                            subjects:
                                - {kind: User, name: alice}
                                - {kind: Group, name: developers}
                                - {kind: ServiceAccount, name: builder, namespace: team-a}
                                - {kind: Anonymous}
                                - {kind: Authenticated}
                            repositories: ["team-a/**"]
                            actions: [pull, push, "*"]
                            catalog: true
                        """,
                        RepositoryAccess.class);
        RepositoryAccessSpec spec = grant.getSpec();
        assertThat(spec.getRegistry().namespaceOr("team-a")).isEqualTo("registry");
        assertThat(spec.getSubjects())
                .extracting(GrantSubject::getKind)
                .containsExactly(
                        GrantSubject.Kind.USER,
                        GrantSubject.Kind.GROUP,
                        GrantSubject.Kind.SERVICE_ACCOUNT,
                        GrantSubject.Kind.ANONYMOUS,
                        GrantSubject.Kind.AUTHENTICATED);
        assertThat(spec.getActions())
                .containsExactly(RepositoryAction.PULL, RepositoryAction.PUSH, RepositoryAction.ALL);
        assertThat(spec.getActions()).extracting(RepositoryAction::wireName).containsExactly("pull", "push", "*");
        assertThat(spec.isCatalog()).isTrue();
        assertThat(Serialization.asYaml(grant)).contains("kind: \"ServiceAccount\"").contains("- \"*\"");
    }

    @Test
    void explicitNullsFallBackToTheDefaults() {
        RegistryAuth auth =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RegistryAuth
                        metadata: {name: main, namespace: registry}
                        spec:
                          service: registry.example.com
                          token: null
                          signing: {rotationPeriod: null}
                          authentication: null
                          tenancy: {namespaceRepositories: null}
                          registry: {deployment: registry, mountPath: null}
                        """,
                        RegistryAuth.class);
        RegistryAuthSpec spec = auth.getSpec();
        assertThat(spec.getToken().ttlDuration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(spec.getSigning().rotationPeriodDuration()).isEqualTo(Duration.ofHours(720));
        assertThat(spec.getAuthentication().isAnonymous()).isFalse();
        assertThat(spec.getTenancy().patternFor("team-a")).isEqualTo("team-a/**");
        assertThat(spec.getRegistry().getMountPath()).isEqualTo(RegistrySpec.DEFAULT_MOUNT_PATH);
    }

    @Test
    void grantRegistryNamespaceDefaultsToTheGrantsOwn() {
        assertThat(new RegistryRef("main", null).namespaceOr("team-a")).isEqualTo("team-a");
        assertThat(new RegistryRef("main", "").namespaceOr("team-a")).isEqualTo("team-a");
    }
}
