package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.registryauth.realm.RealmException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * Only a 400 RealmException may ever leave BasicAuth.parse, with one of a fixed set of messages (so
 * none can echo the credentials). The first byte picks how the rest becomes a header: raw text, or
 * "Basic " + base64 of the raw bytes (reaching the UTF-8 and colon checks).
 */
class BasicAuthFuzzTest {
    private static final Set<String> MESSAGES = Set.of(
            "missing Authorization header",
            "unsupported authorization scheme",
            "malformed Basic credentials: nothing after the scheme",
            "malformed Basic credentials: too long",
            "malformed Basic credentials: invalid base64",
            "malformed Basic credentials: not valid UTF-8",
            "malformed Basic credentials: no ':' between username and password",
            "malformed Basic credentials: empty username",
            "malformed Basic credentials: username longer than 256 characters",
            "malformed Basic credentials: control characters in username",
            "malformed Basic credentials: password longer than 8192 bytes");

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        String header = (input[0] & 1) == 0
                ? new String(rest, StandardCharsets.UTF_8)
                : ((input[0] & 2) == 0 ? "Basic " : "bAsIc ") + Base64.getEncoder().encodeToString(rest);
        String password = passwordIn(rest);
        try {
            Credentials credentials = BasicAuth.parse(header);
            assertThat(credentials.username()).isNotEmpty().hasSizeLessThanOrEqualTo(BasicAuth.MAX_USERNAME_CHARS);
            assertThat(credentials.password().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(BasicAuth.MAX_PASSWORD_BYTES);
            assertThat(credentials.toString()).doesNotContain("password=" + credentials.password() + "]");
        } catch (RealmException e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(MESSAGES).contains(e.getMessage());
            if (password != null && password.length() >= 4 && MESSAGES.stream().noneMatch(m -> m.contains(password))) {
                assertThat(e.getMessage()).doesNotContain(password);
            }
        }
    }

    /** The password the bytes would decode to, or null when they are not valid UTF-8 "user:password". */
    private static String passwordIn(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            int colon = text.indexOf(':');
            return colon < 0 ? null : text.substring(colon + 1);
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
