package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registryauth.realm.RealmException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    @Test
    void parsesUserAndPassword() {
        assertThat(BasicAuth.parse(basic("alice:s3cret"))).isEqualTo(new Credentials("alice", "s3cret"));
    }

    @Test
    void schemeIsCaseInsensitiveAndSpacesAroundAreTolerated() {
        String encoded = encode("alice:pw");
        assertThat(BasicAuth.parse("basic " + encoded).username()).isEqualTo("alice");
        assertThat(BasicAuth.parse("BASIC " + encoded).username()).isEqualTo("alice");
        assertThat(BasicAuth.parse("  Basic   " + encoded + "  ").password()).isEqualTo("pw");
    }

    @Test
    void passwordMayContainColonsAndUnicodeAndBeEmpty() {
        assertThat(BasicAuth.parse(basic("alice:a:b:c"))).isEqualTo(new Credentials("alice", "a:b:c"));
        assertThat(BasicAuth.parse(basic("jürgen:pässwörd€"))).isEqualTo(new Credentials("jürgen", "pässwörd€"));
        assertThat(BasicAuth.parse(basic("alice:"))).isEqualTo(new Credentials("alice", ""));
    }

    @Test
    void otherSchemesAreUnsupported() {
        assertRefused("Bearer abc.def.ghi", "unsupported authorization scheme");
        assertRefused("Digest username=\"a\"", "unsupported authorization scheme");
        assertRefused("", "unsupported authorization scheme");
        assertRefused("Basicx " + encode("a:b"), "unsupported authorization scheme");
    }

    @Test
    void refusesMalformedCredentials() {
        assertRefused("Basic", "malformed Basic credentials: nothing after the scheme");
        assertRefused("Basic    ", "malformed Basic credentials: nothing after the scheme");
        assertRefused("Basic !!!!", "malformed Basic credentials: invalid base64");
        assertRefused("Basic " + encode("a:bc").replace('=', '*'), "malformed Basic credentials: invalid base64");
        assertRefused("Basic " + Base64.getUrlEncoder().encodeToString(new byte[] {(byte) 0xfb, (byte) 0xff, ':'}),
                "malformed Basic credentials: invalid base64");
        assertRefused("Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xc3, (byte) 0x28}),
                "malformed Basic credentials: not valid UTF-8");
        assertRefused("Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                "malformed Basic credentials: not valid UTF-8");
        assertRefused(basic("alice"), "malformed Basic credentials: no ':' between username and password");
        assertRefused(basic(":secret"), "malformed Basic credentials: empty username");
        assertRefused(basic("ali\nce:pw"), "malformed Basic credentials: control characters in username");
        assertRefused(null, "missing Authorization header");
    }

    @Test
    void enforcesLengthLimits() {
        assertThat(BasicAuth.parse(basic("u".repeat(256) + ":pw")).username()).hasSize(256);
        assertRefused(basic("u".repeat(257) + ":pw"), "malformed Basic credentials: username longer than 256 characters");
        assertThat(BasicAuth.parse(basic("alice:" + "p".repeat(8192))).password()).hasSize(8192);
        assertRefused(basic("alice:" + "p".repeat(8193)), "malformed Basic credentials: password longer than 8192 bytes");
        // The limit is in bytes: 2,731 three-byte characters are 8,193 bytes.
        assertRefused(basic("alice:" + "€".repeat(2731)), "malformed Basic credentials: password longer than 8192 bytes");
        assertThat(BasicAuth.parse(basic("ü".repeat(256) + ":" + "€".repeat(2730))).password()).hasSize(2730);
        assertRefused("Basic " + "A".repeat(20_000), "malformed Basic credentials: too long");
    }

    @Test
    void messagesNeverContainTheCredentials() {
        String password = "Very$ecretPassw0rd";
        for (String header : new String[] {basic("u".repeat(300) + ":" + password), basic(password),
                basic("ali\u0001ce:" + password), "Bearer " + password, basic(":" + password)}) {
            assertThatThrownBy(() -> BasicAuth.parse(header)).message().doesNotContain(password);
        }
    }

    private static void assertRefused(String header, String message) {
        assertThatThrownBy(() -> BasicAuth.parse(header))
                .isInstanceOfSatisfying(RealmException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                })
                .hasMessage(message);
    }

    static String basic(String userColonPassword) {
        return "Basic " + encode(userColonPassword);
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
