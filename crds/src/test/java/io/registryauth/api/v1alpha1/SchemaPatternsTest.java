package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The patterns the API server checks, tried on what users write (Java and RE2 agree on these: no look-around). */
class SchemaPatternsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://idp.example.com/realms/corp", "https://idp.example.com", "https://idp.example.com:8443/",
                "https://login.microsoftonline.com/0b1c/v2.0", "http://127.0.0.1:8080/realms/test",
                "http://localhost:8080/realms/test", "http://localhost", "https://accounts.google.com"
            })
    void issuerAcceptsHttpsAndLoopbackHttp(String issuer) {
        assertThat(matches(OidcProviderSpec.ISSUER_PATTERN, issuer)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://idp.example.com/realms/corp", "http://localhost.evil.com/realms/x",
                "http://127.0.0.1.evil.com/", "http://localhost@evil.com/", "https://", "https:///path",
                "https://idp.example.com/realms/corp?x=1", "https://idp.example.com/#frag", "idp.example.com",
                "ftp://idp.example.com", "https://idp.example.com/realms corp", ""
            })
    void issuerRefusesPlainHttpElsewhereQueriesAndFragments(String issuer) {
        assertThat(matches(OidcProviderSpec.ISSUER_PATTERN, issuer)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"corp", "keycloak-1", "a", "0"})
    void providerNamesAreDnsLabels(String name) {
        assertThat(matches(OidcProviderSpec.NAME_PATTERN, name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Corp", "-corp", "corp-", "corp.example", "corp_1", "corp 1", ""})
    void providerNamesRefuseEverythingElse(String name) {
        assertThat(matches(OidcProviderSpec.NAME_PATTERN, name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"team-a-pull", "default", "pull.team-a", "a", "1secret"})
    void secretAndServiceAccountNamesAreDnsSubdomains(String name) {
        assertThat(matches(CredentialsSpec.DNS_SUBDOMAIN_PATTERN, name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Team-a", "team_a", "-pull", "pull-", "pull..x", ".pull", "pull.", "team a", ""})
    void otherNamesAreRefused(String name) {
        assertThat(matches(CredentialsSpec.DNS_SUBDOMAIN_PATTERN, name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"oauth2accesstoken", "<token>", "robot$ns$grant"})
    void fixedUsernamesAcceptWhatBasicAuthCarries(String name) {
        assertThat(matches(OidcProviderSpec.DOCKER_USERNAME_PATTERN, name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b", "a b", ""})
    void fixedUsernamesRefuseColonsAndSpaces(String name) {
        assertThat(matches(OidcProviderSpec.DOCKER_USERNAME_PATTERN, name)).isFalse();
    }

    private static boolean matches(String pattern, String text) {
        return Pattern.compile(pattern).matcher(text).matches();
    }
}
