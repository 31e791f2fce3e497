package io.registryauth.realm.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.sign.TestRealms;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which credentials a directory takes: names, never tokens another source would have owned. */
class LdapOwnershipTest {
    private static final LdapAuthenticator LDAP = new LdapAuthenticator();

    private static RealmConfig realm(String prefix) {
        LdapDirectory directory = new LdapDirectory("corp", List.of("ldap://127.0.0.1:1"), false, null, null, null,
                "ou=people,dc=example,dc=org", null, null, null, null, null, null, 0, false, prefix, null, null, null,
                null);
        return TestRealms.realm(Map.of()).with(new LdapAuthenticator.LdapDirectories(List.of(directory)));
    }

    private static String jwt(String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(new byte[8]);
    }

    @Test
    void bareNamesArePrefixedOnesOnlyWithThePrefix() {
        assertThat(LDAP.claim(realm(null), new Credentials("alice", "secret"))).isEqualTo(Authenticator.Claim.OWNS);
        assertThat(LDAP.claim(realm(null), new Credentials("corp:alice", "secret"))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(LDAP.claim(realm("ad:"), new Credentials("ad:alice", "secret"))).isEqualTo(Authenticator.Claim.OWNS);
        assertThat(LDAP.claim(realm("ad:"), new Credentials("alice", "secret"))).isEqualTo(Authenticator.Claim.NONE);
    }

    @Test
    void aServiceAccountTokenIsNeverSentInABind() {
        String podToken = jwt("{\"iss\":\"https://kubernetes.default.svc\",\"sub\":\"system:serviceaccount:ci:builder\"}");

        assertThat(LDAP.claim(realm(null), new Credentials("builder", podToken))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(LDAP.claim(realm(null), new Credentials("builder", "a.b.c"))).as("no JWT, a password")
                .isEqualTo(Authenticator.Claim.OWNS);
    }
}
