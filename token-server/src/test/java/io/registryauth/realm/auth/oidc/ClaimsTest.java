package io.registryauth.realm.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsTest {
    private static final Map<String, Object> CLAIMS = Map.of(
            "preferred_username", "alice",
            "groups", Arrays.asList("a", 7, "", "b", null),
            "realm_access", Map.of("roles", List.of("pushers")),
            "https://example.com/groups", List.of("literal"),
            "aud", "registry",
            "exp", 1_700_000_000L,
            "iat", new Date(1_600_000_000_000L));

    @Test
    void stringClaimsAndMissingOnes() {
        assertThat(Claims.string(CLAIMS, "preferred_username")).contains("alice");
        assertThat(Claims.string(CLAIMS, "groups")).isEmpty();
        assertThat(Claims.string(CLAIMS, "nope")).isEmpty();
        assertThat(Claims.string(CLAIMS, null)).isEmpty();
    }

    @Test
    void groupsFromArraysStringsAndNestedPaths() {
        assertThat(Claims.strings(CLAIMS, "groups")).containsExactly("a", "b");
        assertThat(Claims.strings(CLAIMS, "realm_access.roles")).containsExactly("pushers");
        assertThat(Claims.strings(CLAIMS, "https://example.com/groups")).containsExactly("literal");
        assertThat(Claims.strings(CLAIMS, "preferred_username")).containsExactly("alice");
        assertThat(Claims.strings(CLAIMS, "realm_access.missing.deeper")).isEmpty();
        assertThat(Claims.strings(CLAIMS, "preferred_username.x")).isEmpty();
    }

    @Test
    void audienceAndTimes() {
        assertThat(Claims.audiences(CLAIMS)).containsExactly("registry");
        assertThat(Claims.instant(CLAIMS, "exp")).contains(Instant.ofEpochSecond(1_700_000_000L));
        assertThat(Claims.instant(CLAIMS, "iat")).contains(Instant.ofEpochSecond(1_600_000_000L));
        assertThat(Claims.instant(CLAIMS, "nbf")).isEmpty();
    }
}
