package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The YAML users write (the issue's contract) maps onto the types, and defaults apply when absent. */
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
    void identityProvidersAndServiceAccountsFromTheIssuesYaml() {
        RegistryAuth auth =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RegistryAuth
                        metadata: {name: main, namespace: registry}
                        spec:
                          service: registry.example.com
                          authentication:
                            oidc:
                              - name: corp
                                issuer: https://idp.example.com/realms/corp
                                audiences: [registry]
                                usernameClaim: preferred_username
                                groupsClaim: groups
                                usernamePrefix: ""
                                fixedUsernames: [oauth2accesstoken]
                                introspection:
                                  clientId: registry-auth
                                  clientSecretRef: {name: idp-client, key: secret}
                                caBundleRef: {name: idp-ca, key: ca.crt}
                                recheckInterval: 2m
                              - name: github
                                issuer: https://token.actions.githubusercontent.com
                            serviceAccounts:
                              enabled: true
                              audiences: [registry.example.com]
                        """,
                        RegistryAuth.class);
        AuthenticationSpec authentication = auth.getSpec().getAuthentication();
        assertThat(authentication.getOidc()).extracting(OidcProviderSpec::getName).containsExactly("corp", "github");

        OidcProviderSpec corp = authentication.getOidc().get(0);
        assertThat(corp.getIssuer()).isEqualTo("https://idp.example.com/realms/corp");
        assertThat(corp.getAudiences()).containsExactly("registry");
        assertThat(corp.getUsernameClaim()).isEqualTo("preferred_username");
        assertThat(corp.getGroupsClaim()).isEqualTo("groups");
        assertThat(corp.getUsernamePrefix()).isEmpty();
        assertThat(corp.getFixedUsernames()).containsExactly("oauth2accesstoken");
        assertThat(corp.getIntrospection().getClientId()).isEqualTo("registry-auth");
        assertThat(corp.getIntrospection().getClientSecretRef())
                .isEqualTo(new SecretKeyReference("idp-client", "secret"));
        assertThat(corp.getCaBundleRef()).isEqualTo(new SecretKeyReference("idp-ca", "ca.crt"));
        assertThat(corp.recheckIntervalDuration()).isEqualTo(Duration.ofMinutes(2));

        OidcProviderSpec github = authentication.getOidc().get(1);
        assertThat(github.getAudiences()).isEmpty();
        assertThat(github.getUsernameClaim()).isEqualTo(OidcProviderSpec.DEFAULT_USERNAME_CLAIM);
        assertThat(github.getGroupsClaim()).isNull();
        assertThat(github.getUsernamePrefix()).isNull();
        assertThat(github.getFixedUsernames()).isEmpty();
        assertThat(github.getIntrospection()).isNull();
        assertThat(github.getCaBundleRef()).isNull();
        assertThat(github.recheckIntervalDuration()).isEqualTo(Duration.ofMinutes(5));

        ServiceAccountAuthSpec serviceAccounts = authentication.getServiceAccounts();
        assertThat(serviceAccounts.isEnabled()).isTrue();
        assertThat(serviceAccounts.getAudiences()).containsExactly("registry.example.com");
        assertThat(serviceAccounts.isAllowLegacyTokens()).isFalse();
    }

    @Test
    void explicitNullProvidersAndServiceAccountsMeanNone() {
        RegistryAuth auth =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RegistryAuth
                        metadata: {name: main, namespace: registry}
                        spec:
                          service: registry.example.com
                          authentication: {oidc: null, serviceAccounts: null}
                        """,
                        RegistryAuth.class);
        assertThat(auth.getSpec().getAuthentication().getOidc()).isEmpty();
        assertThat(auth.getSpec().getAuthentication().getServiceAccounts().isEnabled()).isFalse();
        assertThat(auth.getSpec().getAuthentication().getServiceAccounts().getAudiences()).isEmpty();
    }

    @Test
    void invalidRecheckIntervalIsAClearError() {
        OidcProviderSpec provider = new OidcProviderSpec();
        provider.setRecheckInterval("5 minutes");
        assertThatThrownBy(provider::recheckIntervalDuration)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 minutes");
        provider.setRecheckInterval(null);
        assertThat(provider.recheckIntervalDuration()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void pullCredentialsFromTheIssuesYaml() {
        RepositoryAccess grant =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RepositoryAccess
                        metadata: {name: team-a-pull, namespace: team-a}
                        spec:
                          registry: {name: main, namespace: registry}
                          repositories: ["team-a/**"]
                          actions: [pull]
                          credentials:
                            secretName: team-a-pull
                            rotationPeriod: 12h
                            gracePeriod: 30m
                            serviceAccounts: [default, builder]
                        """,
                        RepositoryAccess.class);
        RepositoryAccessSpec spec = grant.getSpec();
        assertThat(spec.getSubjects()).isEmpty();
        CredentialsSpec credentials = spec.getCredentials();
        assertThat(credentials.getSecretName()).isEqualTo("team-a-pull");
        assertThat(credentials.rotationPeriodDuration()).isEqualTo(Duration.ofHours(12));
        assertThat(credentials.gracePeriodDuration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(credentials.getServiceAccounts()).containsExactly("default", "builder");
    }

    @Test
    void pullCredentialsGetTheirDefaults() {
        RepositoryAccess grant =
                Serialization.unmarshal(
                        """
                        apiVersion: registryauth.io/v1alpha1
                        kind: RepositoryAccess
                        metadata: {name: team-a-pull, namespace: team-a}
                        spec:
                          registry: {name: main}
                          subjects: [{kind: User, name: alice}]
                          repositories: ["team-a/**"]
                          actions: [pull]
                          credentials: {secretName: team-a-pull, serviceAccounts: null}
                        """,
                        RepositoryAccess.class);
        CredentialsSpec credentials = grant.getSpec().getCredentials();
        assertThat(credentials.rotationPeriodDuration()).isEqualTo(Duration.ofHours(24));
        assertThat(credentials.gracePeriodDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(credentials.getServiceAccounts()).isEmpty();
        credentials.setRotationPeriod("0");
        assertThat(credentials.rotationPeriodDuration()).isEqualTo(Duration.ZERO);
        credentials.setGracePeriod("1 hour");
        assertThatThrownBy(credentials::gracePeriodDuration).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void credentialsStatusTakesPartInStatusEquality() {
        RepositoryAccessStatus before = statusWithCredentials("2026-11-29T10:00:00Z");
        assertThat(before).isEqualTo(statusWithCredentials("2026-11-29T10:00:00Z"));
        assertThat(before.hashCode()).isEqualTo(statusWithCredentials("2026-11-29T10:00:00Z").hashCode());
        assertThat(before).isNotEqualTo(statusWithCredentials("2026-11-30T10:00:00Z"));
        assertThat(before).isNotEqualTo(new RepositoryAccessStatus());

        RepositoryAccess grant = new RepositoryAccess();
        grant.setStatus(before);
        RepositoryAccess back = Serialization.unmarshal(Serialization.asYaml(grant), RepositoryAccess.class);
        assertThat(back.getStatus()).isEqualTo(before);
    }

    private static RepositoryAccessStatus statusWithCredentials(String rotatedAt) {
        CredentialsStatus credentials = new CredentialsStatus();
        credentials.setSecretName("team-a-pull");
        credentials.setRobot("robot$team-a$team-a-pull");
        credentials.setRegistryHost("registry.example.com");
        credentials.setRotatedAt(rotatedAt);
        credentials.setServiceAccounts(List.of("default"));
        RepositoryAccessStatus status = new RepositoryAccessStatus();
        status.setObservedGeneration(3L);
        status.setCredentials(credentials);
        return status;
    }

    @Test
    void grantRegistryNamespaceDefaultsToTheGrantsOwn() {
        assertThat(new RegistryRef("main", null).namespaceOr("team-a")).isEqualTo("team-a");
        assertThat(new RegistryRef("main", "").namespaceOr("team-a")).isEqualTo("team-a");
    }
}
