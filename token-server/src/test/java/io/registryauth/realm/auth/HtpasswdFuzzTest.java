package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Htpasswd.parse only ever throws IllegalArgumentException, and its message never quotes crypt text
 * (the part after a user's colon when it holds '$' or '{', as every hash scheme writes). The input is
 * split at the first NUL into htpasswd content and, when present, groups content.
 */
class HtpasswdFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int nul = text.indexOf('\0');
        String htpasswd = nul < 0 ? text : text.substring(0, nul);
        String groups = nul < 0 ? null : text.substring(nul + 1);
        try {
            Map<String, StaticUser> users = Htpasswd.parse(htpasswd, groups);
            for (StaticUser user : users.values()) {
                assertThat(user.bcryptHash()).matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
                assertThat(user.name()).isNotEmpty().doesNotContain(":");
            }
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).matches("(htpasswd|groups) line \\d+: .*");
            for (String line : htpasswd.split("\n")) {
                int colon = line.indexOf(':');
                String hash = colon < 0 ? line.strip() : line.substring(colon + 1).strip();
                if (hash.length() >= 2 && (hash.indexOf('$') >= 0 || hash.indexOf('{') >= 0)) {
                    assertThat(e.getMessage()).doesNotContain(hash);
                }
            }
        }
    }
}
