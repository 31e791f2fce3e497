package io.registryauth.realm.sign;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRingTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final SigningKey active = SigningKey.generate(SigningAlgorithm.ES256, "active", NOW, Duration.ofDays(1));
    private final SigningKey next = SigningKey.generate(SigningAlgorithm.RS256, "next", NOW, Duration.ofDays(1));

    @Test
    void publishesTheActiveKeyFirstAndFindsKeysByKid() {
        KeyRing ring = KeyRing.of(active, next);

        assertThat(ring.active()).isSameAs(active);
        assertThat(ring.published()).containsExactly(active, next);
        assertThat(ring.byKid(next.kid())).containsSame(next);
        assertThat(ring.byKid(active.kid())).containsSame(active);
        assertThat(ring.byKid("AAAA:BBBB")).isEmpty();
        assertThat(ring.byKid(null)).isEmpty();
    }

    @Test
    void addsAMissingActiveKeyAndDropsDuplicates() {
        KeyRing ring = new KeyRing(active, List.of(next, active, next));

        assertThat(ring.published()).containsExactly(active, next);
    }

    @Test
    void certificateBundleHoldsEveryPublishedCertificateActiveFirst() throws Exception {
        KeyRing ring = KeyRing.of(active, next);

        List<Certificate> bundle = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(ring.certificateBundlePem().getBytes(StandardCharsets.US_ASCII))));

        assertThat(bundle).containsExactly(active.certificate(), next.certificate());
    }

    @Test
    void jwksListsPublicKeysUnderTheKidsTokensCarry() throws Exception {
        KeyRing ring = KeyRing.of(active, next);

        JWKSet set = JWKSet.parse(ring.jwksJson());

        assertThat(set.getKeys()).extracting(JWK::getKeyID).containsExactly(active.kid(), next.kid());
        assertThat(set.getKeys()).noneMatch(JWK::isPrivate);
        assertThat(set.getKeys().get(0).computeThumbprint().toString()).isEqualTo(active.thumbprint());
        assertThat(ring.jwksJson()).startsWith("{\"keys\":[").doesNotContain("\"d\"");
    }
}
