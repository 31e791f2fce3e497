package io.registryauth.operator.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.registryauth.operator.TokenServerOptions;
import io.registryauth.operator.auth.ServiceAccountAuthenticator;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import org.junit.jupiter.api.Test;

/** The production chain with the feed's service-account logins: local checks first, then reviews, then providers. */
class ServiceAccountChainTest {
    @Test
    void serviceAccountsAreAskedAfterLocalUsersAndBeforeIdentityProviders() {
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build()).build()) {
            var chain = TokenServerOptions.standard(new ServiceAccountAuthenticator(client, new ServiceAccountLogins(),
                    ServiceAccountAuthenticator.Settings.defaults())).authenticators();
            var names = chain.stream().map(Authenticator::name).toList();

            assertThat(names).doesNotHaveDuplicates().endsWith(ServiceAccountAuthenticator.NAME, OidcAuthenticator.NAME);
            assertThat(names.indexOf(HtpasswdAuthenticator.NAME))
                    .isLessThan(names.indexOf(ServiceAccountAuthenticator.NAME));
        }
    }
}
