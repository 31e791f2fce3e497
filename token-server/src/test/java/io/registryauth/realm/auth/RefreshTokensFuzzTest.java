package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.sign.TestRealms;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * RefreshTokens.verify answers "no" to anything it did not issue and never throws, whatever the text.
 * The first byte picks raw text, or three base64url parts built from the input (reaching the JSON
 * parsers behind the compact serialization).
 */
class RefreshTokensFuzzTest {
    private static final RealmConfig REALM = TestRealms.realm(Map.of());
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @FuzzTest(maxDuration = "30s")
    void verify(byte[] input) {
        if (input.length == 0) {
            return;
        }
        String token;
        if ((input[0] & 1) == 0) {
            token = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        } else {
            String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
            String[] parts = text.split("\n", 5);
            Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
            StringBuilder built = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                if (i > 0) {
                    built.append('.');
                }
                built.append(encoder.encodeToString((i < parts.length ? parts[i] : "").getBytes(StandardCharsets.UTF_8)));
            }
            token = built.toString();
        }
        assertThat(RefreshTokens.open(REALM, token, NOW)).isEmpty();
    }
}
