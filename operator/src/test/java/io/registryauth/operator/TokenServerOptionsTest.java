package io.registryauth.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.registryauth.operator.auth.ServiceAccountAuthenticator;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.ldap.LdapAuthenticator;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.WorkloadAuthenticator;
import org.junit.jupiter.api.Test;

/** The production chain: one authenticator per registered source, in the order ownership is decided. */
class TokenServerOptionsTest {
    @Test
    void everySourceOnceWorkloadIssuersFirstThenRobotsProvidersServiceAccountsLocalUsersAndDirectories() {
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build()).build()) {
            var names = TokenServerOptions.standard(client).authenticators().stream().map(Authenticator::name).toList();

            assertThat(names).containsExactly(WorkloadAuthenticator.NAME, RobotAuthenticator.NAME, OidcAuthenticator.NAME,
                    ServiceAccountAuthenticator.NAME, HtpasswdAuthenticator.NAME, LdapAuthenticator.NAME);
        }
    }
}
