package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static io.registryauth.operator.reconciler.RegistryAuthReconcilerTest.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.LdapSpec;
import io.registryauth.api.v1alpha1.OidcIntrospectionSpec;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.sources.HtpasswdSource;
import io.registryauth.operator.sources.LdapSource;
import io.registryauth.operator.sources.OidcSource;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.realm.RealmState;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user's htpasswd Secret carries no label of ours, so the reconciler does not watch it; the realm feed
 * does, and signals. Without the signal the reconciler would only notice at its next periodic look
 * ({@link RegistryAuthReconciler#RECHECK}, 30 s): waiting for less than that tells the two apart.
 */
class UsersSecretStatusTest {
    private static final Duration SOONER_THAN_A_RECHECK = RegistryAuthReconciler.RECHECK.dividedBy(2);

    private MockCluster cluster;
    private RealmFeed feed;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        RealmProblemSignal problems = new RealmProblemSignal();
        OperatorSettings settings = cluster.settings();
        feed = RealmFeed.start(cluster.client, settings, new RealmState(), problems);
        cluster.start(settings, problems);
    }

    @AfterEach
    void stop() {
        feed.close();
        cluster.close();
    }

    @Test
    void statusFollowsTheHtpasswdSecretWithoutBeingPoked() {
        RegistryAuth auth = cluster.client.resource(cluster.registryAuth("registry", "main", "registry.example.com"))
                .create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);

        cluster.client.secrets().inNamespace("registry").withName("registry-users").delete();
        RegistryAuth broken = await("UsersUnavailable", SOONER_THAN_A_RECHECK, () -> cluster.get(auth),
                a -> ("False/" + HtpasswdSource.USERS_UNAVAILABLE).equals(readyReason(a)));
        assertThat(broken.getStatus().condition("Ready").orElseThrow().getMessage()).contains("registry-users");

        cluster.client.resource(MockCluster.htpasswdSecret("registry")).create();
        await("Ready again", SOONER_THAN_A_RECHECK, () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
    }

    @Test
    void statusShowsAnIdentityProviderWhoseSecretIsMissing() {
        RegistryAuth spec = cluster.registryAuth("registry", "main", "registry.example.com");
        OidcProviderSpec provider = new OidcProviderSpec();
        provider.setName("corp");
        provider.setIssuer("https://idp.example.com/realms/corp");
        OidcIntrospectionSpec introspection = new OidcIntrospectionSpec();
        introspection.setClientId("registry-auth");
        introspection.setClientSecretRef(new SecretKeyReference("idp-client", "secret"));
        provider.setIntrospection(introspection);
        spec.getSpec().getAuthentication().setOidc(List.of(provider));
        RegistryAuth auth = cluster.client.resource(spec).create();

        RegistryAuth broken = await("IdentityProviderUnavailable", () -> cluster.get(auth),
                a -> ("False/" + OidcSource.IDENTITY_PROVIDER_UNAVAILABLE).equals(readyReason(a)));
        assertThat(broken.getStatus().condition("Ready").orElseThrow().getMessage()).contains("idp-client")
                .contains("does not exist");

        cluster.client.resource(new SecretBuilder().withNewMetadata().withName("idp-client").withNamespace("registry")
                .endMetadata().withData(Map.of("secret", Base64.getEncoder().encodeToString("s3cret".getBytes())))
                .build()).create();
        await("Ready once the Secret exists", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
    }

    @Test
    void statusShowsADirectoryThatCannotBeReached() throws Exception {
        RegistryAuth spec = cluster.registryAuth("registry", "main", "registry.example.com");
        LdapSpec directory = new LdapSpec();
        directory.setName("corp");
        int nobody;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            nobody = free.getLocalPort();
        }
        directory.setUrls(List.of("ldap://127.0.0.1:" + nobody));
        LdapSpec.LdapUserSearchSpec users = new LdapSpec.LdapUserSearchSpec();
        users.setBaseDN("ou=people,dc=example,dc=org");
        directory.setUserSearch(users);
        spec.getSpec().getAuthentication().setLdap(List.of(directory));
        RegistryAuth auth = cluster.client.resource(spec).create();

        RegistryAuth broken = await("DirectoryUnavailable", () -> cluster.get(auth),
                a -> ("False/" + LdapSource.DIRECTORY_UNAVAILABLE).equals(readyReason(a)));
        assertThat(broken.getStatus().condition("Ready").orElseThrow().getMessage())
                .contains("directory corp ldap://127.0.0.1:" + nobody + ": cannot be used");
    }
}
