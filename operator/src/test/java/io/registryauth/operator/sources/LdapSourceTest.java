package io.registryauth.operator.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.LdapSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.model.Fixtures;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.ldap.LdapAuthenticator;
import io.registryauth.realm.auth.ldap.LdapDirectory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** spec.authentication.ldap[] becomes the realm's directories; what cannot be used is reported, never its secret. */
class LdapSourceTest {
    private static final String BIND_PASSWORD = "bind-password-never-shown";

    private static RegistryAuth withDirectory(LdapSpec directory) {
        RegistryAuth auth = Fixtures.registryAuth("registry", "main");
        auth.getSpec().getAuthentication().setLdap(List.of(directory));
        // The directory is this realm's only source of users.
        auth.getSpec().getAuthentication().setHtpasswd(null);
        auth.getSpec().getAuthentication().setGroups(null);
        return auth;
    }

    private static LdapSpec corp() {
        LdapSpec spec = new LdapSpec();
        spec.setName("corp");
        spec.setUrls(List.of("ldaps://ldap1.example.org", "ldaps://ldap2.example.org:636"));
        spec.setBindDN("cn=registry,ou=services,dc=example,dc=org");
        spec.setBindPasswordRef(new SecretKeyReference("ldap-bind", "password"));
        LdapSpec.LdapUserSearchSpec users = new LdapSpec.LdapUserSearchSpec();
        users.setBaseDN("ou=people,dc=example,dc=org");
        spec.setUserSearch(users);
        LdapSpec.LdapGroupsSpec groups = new LdapSpec.LdapGroupsSpec();
        groups.setMemberAttribute("memberOf");
        groups.setBaseDN("ou=groups,dc=example,dc=org");
        groups.setNestedDepth(3);
        spec.setGroups(groups);
        spec.setGroupCacheTTL("30s");
        return spec;
    }

    private static Secret bindSecret() {
        return new SecretBuilder().withNewMetadata().withName("ldap-bind").withNamespace("registry").endMetadata()
                .withData(Map.of("password", Base64.getEncoder().encodeToString(BIND_PASSWORD.getBytes()))).build();
    }

    private static RealmModel.Outcome realm(RegistryAuth auth, Map<String, Secret> secrets) {
        return RealmModel.realm(new RealmModel.Inputs(auth, Fixtures.signingSecret(auth), List.of(), secrets, Map.of()),
                OperatorSettings.defaults());
    }

    @Test
    void aDirectoryIsMappedWithItsBindPassword() {
        RegistryAuth auth = withDirectory(corp());
        RealmModel.Outcome outcome = realm(auth, Map.of("ldap-bind", bindSecret()));

        assertThat(outcome.problems()).isEmpty();
        RealmConfig realm = outcome.realm().orElseThrow();
        LdapDirectory directory = realm.source(LdapAuthenticator.LdapDirectories.class).orElseThrow().all().get(0);
        assertThat(directory.urls()).containsExactly("ldaps://ldap1.example.org", "ldaps://ldap2.example.org:636");
        assertThat(directory.bindPassword()).isEqualTo(BIND_PASSWORD);
        assertThat(directory.userFilter()).isEqualTo("(uid={0})");
        assertThat(directory.groupAttribute()).isEqualTo("memberOf");
        assertThat(directory.nestedDepth()).isEqualTo(3);
        assertThat(directory.usernamePrefix()).isEmpty();
        assertThat(directory.groupCacheMaxAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(directory.toString()).doesNotContain(BIND_PASSWORD);
        assertThat(RealmModel.secretNames(auth)).contains("ldap-bind");
    }

    @Test
    void aMissingBindPasswordLeavesTheDirectoryOutAndSaysWhy() {
        RegistryAuth auth = withDirectory(corp());
        RealmModel.Outcome outcome = realm(auth, Map.of());

        assertThat(outcome.problems()).extracting(GrantModel.Problem::reason)
                .containsExactly(LdapSource.DIRECTORY_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("ldap-bind").contains("does not exist");
        assertThat(outcome.realm().orElseThrow().source(LdapAuthenticator.LdapDirectories.class).orElseThrow().all())
                .isEmpty();
        assertThat(RealmModel.sourceProblems(auth, Map.of())).extracting(GrantModel.Problem::reason)
                .containsExactly(LdapSource.DIRECTORY_UNAVAILABLE);
    }

    @Test
    void aBadDurationIsReportedWithItsField() {
        LdapSpec spec = corp();
        spec.setOperationTimeout("soon");
        RealmModel.Outcome outcome = realm(withDirectory(spec), Map.of("ldap-bind", bindSecret()));

        assertThat(outcome.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(LdapSource.DIRECTORY_UNAVAILABLE);
            assertThat(p.message()).contains("operationTimeout").doesNotContain(BIND_PASSWORD);
        });
    }

    @Test
    void aBadFilterIsReportedBeforeAnyLogin() {
        LdapSpec spec = corp();
        spec.getUserSearch().setFilter("(uid={0}");
        RealmModel.Outcome outcome = realm(withDirectory(spec), Map.of("ldap-bind", bindSecret()));

        assertThat(outcome.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(LdapSource.DIRECTORY_UNAVAILABLE);
            assertThat(p.message()).isEqualTo("directory corp: userSearch.filter is not a valid LDAP filter");
        });
    }
}
