package io.registryauth.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.operator.keys.SigningKeySecret.Contents;
import io.registryauth.operator.keys.SigningKeySecret.State;
import io.registryauth.operator.keys.SigningKeySecret.StoredKey;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigningKeySecretTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final SigningKey ES256 = SigningKey.generate(SigningAlgorithm.ES256, "test", T0, Duration.ofDays(60));
    static final SigningKey ES384 = SigningKey.generate(SigningAlgorithm.ES384, "test", T0, Duration.ofDays(60));
    static final SigningKey RS256 = SigningKey.generate(SigningAlgorithm.RS256, "test", T0, Duration.ofDays(60));

    static byte[] refreshKey() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    static Secret secret(Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withName("main-signing-keys").endMetadata().withData(data).build();
    }

    @Test
    void roundTripsEveryStateAndStamp() {
        Contents contents = new Contents(refreshKey(), List.of(
                new StoredKey(RS256, State.RETIRING, T0, T0.plusSeconds(1), T0.plusSeconds(900)),
                new StoredKey(ES256, State.ACTIVE, T0.plusSeconds(2), T0.plusSeconds(3), null),
                new StoredKey(ES384, State.PENDING, T0.plusSeconds(4), null, null)));
        Contents read = SigningKeySecret.read(secret(SigningKeySecret.data(contents))).orElseThrow();

        assertThat(read.refreshKey()).isEqualTo(refreshKey());
        assertThat(read.keys()).extracting(StoredKey::id, StoredKey::state, StoredKey::createdAt,
                        StoredKey::activatedAt, StoredKey::retireAfter)
                .containsExactlyElementsOf(contents.keys().stream().map(k -> org.assertj.core.groups.Tuple.tuple(
                        k.id(), k.state(), k.createdAt(), k.activatedAt(), k.retireAfter())).toList());
        assertThat(read.keys().get(0).key().privateKeyPem()).isEqualTo(RS256.privateKeyPem());
        assertThat(read.active().orElseThrow().id()).isEqualTo(ES256.kid());
        assertThat(read.pending().orElseThrow().id()).isEqualTo(ES384.kid());
    }

    @Test
    void storesTheDocumentedFormat() throws Exception {
        Contents contents = new Contents(refreshKey(), List.of(new StoredKey(ES256, State.ACTIVE, T0, T0, null)));
        Map<String, String> data = SigningKeySecret.data(contents);
        assertThat(data).containsOnlyKeys("refresh.key", "keys.json");
        assertThat(Base64.getDecoder().decode(data.get("refresh.key"))).hasSize(32);
        String json = new String(Base64.getDecoder().decode(data.get("keys.json")), StandardCharsets.UTF_8);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(tree.isArray()).isTrue();
        assertThat(tree.get(0).get("id").asText()).isEqualTo(ES256.kid());
        assertThat(tree.get(0).get("state").asText()).isEqualTo("active");
        assertThat(tree.get(0).get("algorithm").asText()).isEqualTo("ES256");
        assertThat(tree.get(0).get("createdAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(tree.get(0).get("privateKey").asText()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(tree.get(0).get("certificate").asText()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(tree.get(0).has("retireAfter")).isFalse();
    }

    @Test
    void keyRingHoldsActiveFirstAndEveryPublishedKey() {
        Contents contents = new Contents(refreshKey(), List.of(
                new StoredKey(RS256, State.RETIRING, T0, T0, T0.plusSeconds(900)),
                new StoredKey(ES256, State.ACTIVE, T0.plusSeconds(2), T0.plusSeconds(3), null),
                new StoredKey(ES384, State.PENDING, T0.plusSeconds(4), null, null)));
        KeyRing ring = SigningKeySecret.keyRing(secret(SigningKeySecret.data(contents))).orElseThrow();
        assertThat(ring.active().kid()).isEqualTo(ES256.kid());
        assertThat(ring.published()).extracting(SigningKey::kid)
                .containsExactlyInAnyOrder(ES256.kid(), ES384.kid(), RS256.kid());
        assertThat(SigningKeySecret.refreshKey(secret(SigningKeySecret.data(contents)))).contains(refreshKey());
    }

    @Test
    void bundleOrderIgnoresStatesSoActivationDoesNotChangeTheHash() {
        StoredKey old = new StoredKey(ES256, State.ACTIVE, T0, T0, null);
        StoredKey fresh = new StoredKey(ES384, State.PENDING, T0.plusSeconds(60), null, null);
        Contents before = new Contents(refreshKey(), List.of(fresh, old));
        Contents after = new Contents(refreshKey(), List.of(old.retiring(T0.plusSeconds(999)),
                fresh.activated(T0.plusSeconds(120))));
        assertThat(after.bundleHash()).isEqualTo(before.bundleHash());
        assertThat(before.certificateBundlePem()).isEqualTo(ES256.certificatePem() + ES384.certificatePem());
        assertThat(new Contents(refreshKey(), List.of(old)).bundleHash()).isNotEqualTo(before.bundleHash());
    }

    @Test
    void missingSecretAndMissingPartsAreNotErrors() {
        assertThat(SigningKeySecret.read(null)).isEmpty();
        assertThat(SigningKeySecret.keyRing(null)).isEmpty();
        Contents empty = SigningKeySecret.read(secret(null)).orElseThrow();
        assertThat(empty.refreshKey()).isNull();
        assertThat(empty.keys()).isEmpty();
        assertThat(SigningKeySecret.keyRing(secret(null))).isEmpty();
    }

    @Test
    void unreadableContentIsAnErrorThatNeverQuotesKeyMaterial() {
        String privatePem = ES256.privateKeyPem();
        String brokenJson = "[{\"state\":\"active\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"privateKey\":\""
                + privatePem.replace("\n", "\\n") + "\",\"certificate\":\""
                + ES384.certificatePem().replace("\n", "\\n")
                + "\"}]";
        Secret mismatched = secret(Map.of("keys.json", base64(brokenJson), "refresh.key",
                Base64.getEncoder().encodeToString(refreshKey())));
        assertThatThrownBy(() -> SigningKeySecret.read(mismatched))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keys.json entry 0")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(privatePem.substring(40, 80)));
        assertThat(SigningKeySecret.keyRing(mismatched)).isEmpty();

        Secret notJson = secret(Map.of("keys.json", base64("{not json " + privatePem)));
        assertThatThrownBy(() -> SigningKeySecret.read(notJson))
                .hasMessageContaining("not a JSON list")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("PRIVATE"));

        Secret shortKey = secret(Map.of("refresh.key", base64("short")));
        assertThatThrownBy(() -> SigningKeySecret.read(shortKey)).hasMessageContaining("at least 32");
        assertThat(SigningKeySecret.refreshKey(shortKey)).isEmpty();

        Secret badState = secret(Map.of("keys.json", base64(
                "[{\"state\":\"current\",\"createdAt\":\"2026-01-01T00:00:00Z\","
                + "\"privateKey\":\"" + ES256.privateKeyPem().replace("\n", "\\n") + "\",\"certificate\":\""
                + ES256.certificatePem().replace("\n", "\\n") + "\"}]")));
        assertThatThrownBy(() -> SigningKeySecret.read(badState)).hasMessageContaining("unknown key state");
    }

    @Test
    void twoActiveKeysAreRejected() {
        Contents contents = new Contents(refreshKey(), List.of(new StoredKey(ES256, State.ACTIVE, T0, T0, null),
                new StoredKey(ES384, State.ACTIVE, T0, T0, null)));
        assertThatThrownBy(() -> SigningKeySecret.read(secret(SigningKeySecret.data(contents))))
                .hasMessageContaining("2 active");
    }

    @Test
    void toStringNeverShowsSecrets() {
        Contents contents = new Contents(refreshKey(), List.of(new StoredKey(ES256, State.ACTIVE, T0, T0, null)));
        assertThat(contents.toString()).contains(ES256.kid()).doesNotContain("PRIVATE")
                .doesNotContain(Base64.getEncoder().encodeToString(refreshKey()));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
