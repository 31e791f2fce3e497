package io.registryauth.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import org.junit.jupiter.api.Test;

class TokenServerOptionsTest {
    @Test
    void identityProvidersAreAskedAfterTheLocalAuthenticators() {
        var names = TokenServerOptions.standard().authenticators().stream().map(Authenticator::name).toList();

        assertThat(names).contains(HtpasswdAuthenticator.NAME).endsWith(OidcAuthenticator.NAME);
        assertThat(names.indexOf(HtpasswdAuthenticator.NAME)).isLessThan(names.indexOf(OidcAuthenticator.NAME));
        assertThat(names).doesNotHaveDuplicates();
    }
}
