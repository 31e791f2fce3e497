package io.registryauth.realm.sign;

import static io.registryauth.realm.sign.TestRealms.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SigningKeyTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void generatesAKeyWithASelfSignedCertificate(SigningAlgorithm algorithm) throws Exception {
        SigningKey key = SigningKey.generate(algorithm, "registry-auth signer", NOW, Duration.ofDays(90));
        X509Certificate certificate = key.certificate();

        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=registry-auth signer");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(SigningKey.CLOCK_SKEW));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(90)));
        assertThat(key.notAfter()).isEqualTo(NOW.plus(Duration.ofDays(90)));
        assertThat(certificate.getSerialNumber().signum()).isPositive();
        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertThat(key.kid()).isEqualTo(LibtrustKeyId.of(certificate.getPublicKey()));
        assertThat(key.publicKey()).isEqualTo(certificate.getPublicKey());
    }

    @Test
    void serialNumbersDiffer() {
        SigningKey a = SigningKey.generate(SigningAlgorithm.ES256, "a", NOW, Duration.ofDays(1));
        SigningKey b = SigningKey.generate(SigningAlgorithm.ES256, "a", NOW, Duration.ofDays(1));
        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
        assertThat(a.kid()).isNotEqualTo(b.kid());
    }

    @Test
    void keySizesFollowTheAlgorithm() {
        assertThat(((ECKey) SigningKey.generate(SigningAlgorithm.ES256, "x", NOW, Duration.ofDays(1)).publicJwk())
                .getCurve().getName()).isEqualTo("P-256");
        assertThat(((ECKey) SigningKey.generate(SigningAlgorithm.ES384, "x", NOW, Duration.ofDays(1)).publicJwk())
                .getCurve().getName()).isEqualTo("P-384");
        assertThat(((RSAKey) SigningKey.generate(SigningAlgorithm.RS256, "x", NOW, Duration.ofDays(1)).publicJwk())
                .size()).isEqualTo(2048);
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void publicJwkCarriesTheLibtrustKidAlgAndUse(SigningAlgorithm algorithm) throws Exception {
        SigningKey key = SigningKey.generate(algorithm, "x", NOW, Duration.ofDays(1));
        JWK jwk = key.publicJwk();

        assertThat(jwk.getKeyID()).isEqualTo(key.kid());
        assertThat(jwk.getAlgorithm().getName()).isEqualTo(algorithm.name());
        assertThat(jwk.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
        assertThat(jwk.isPrivate()).isFalse();
        assertThat(key.thumbprint()).isEqualTo(jwk.computeThumbprint().toString()).hasSize(43);
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void pemRoundTripKeepsTheKey(SigningAlgorithm algorithm) throws Exception {
        SigningKey key = SigningKey.generate(algorithm, "x", NOW, Duration.ofDays(1));
        String privatePem = key.privateKeyPem();
        assertThat(privatePem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(key.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----\n");

        SigningKey back = SigningKey.fromPem(privatePem, key.certificatePem());

        assertThat(back.kid()).isEqualTo(key.kid());
        assertThat(back.thumbprint()).isEqualTo(key.thumbprint());
        assertThat(back.algorithm()).isEqualTo(algorithm);
        assertThat(back.certificate()).isEqualTo(key.certificate());
        assertThat(back.privateKeyPem()).isEqualTo(privatePem);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        assertThat(factory.generateCertificate(new ByteArrayInputStream(
                key.certificatePem().getBytes(StandardCharsets.US_ASCII)))).isEqualTo(key.certificate());
    }

    @Test
    void readsKeysWrittenByOpenssl() throws Exception {
        SigningKey pkcs8 = SigningKey.fromPem(resource("openssl-p256-pkcs8.key"), resource("openssl-p256.crt"));
        SigningKey sec1 = SigningKey.fromPem(resource("openssl-p256-sec1.key"), resource("openssl-p256.crt"));
        SigningKey rsa = SigningKey.fromPem(resource("openssl-rsa2048.key"), resource("openssl-rsa2048.crt"));

        assertThat(pkcs8.algorithm()).isEqualTo(SigningAlgorithm.ES256);
        assertThat(sec1.kid()).isEqualTo(pkcs8.kid()).isEqualTo("UNY3:I2I2:5LHW:GHJO:V43I:JKY2:D5MA:FYJL:ELFO:PXYJ:PH53:JZ5K");
        assertThat(rsa.algorithm()).isEqualTo(SigningAlgorithm.RS256);
        // The private key written back is PKCS#8 whatever the input form was.
        assertThat(sec1.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(((java.security.interfaces.ECPrivateKey) sec1.privateKey()).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) pkcs8.privateKey()).getS());
        assertThat(SigningKey.fromPem(sec1.privateKeyPem(), sec1.certificatePem()).kid()).isEqualTo(sec1.kid());
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(SigningKey.fromPem(rsa.privateKeyPem(), rsa.certificatePem()).privateKey());
        signature.update(new byte[] {1, 2, 3});
        byte[] signed = signature.sign();
        signature.initVerify(rsa.publicKey());
        signature.update(new byte[] {1, 2, 3});
        assertThat(signature.verify(signed)).isTrue();
    }

    @Test
    void refusesAKeyThatDoesNotMatchTheCertificate() {
        SigningKey a = SigningKey.generate(SigningAlgorithm.ES256, "a", NOW, Duration.ofDays(1));
        SigningKey b = SigningKey.generate(SigningAlgorithm.ES256, "b", NOW, Duration.ofDays(1));

        assertThatThrownBy(() -> SigningKey.fromPem(a.privateKeyPem(), b.certificatePem()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("private key does not match the certificate's public key");
    }

    @Test
    void refusesAKeyOfAnotherTypeThanTheCertificate() {
        SigningKey ec = SigningKey.generate(SigningAlgorithm.ES256, "a", NOW, Duration.ofDays(1));
        SigningKey rsa = SigningKey.generate(SigningAlgorithm.RS256, "b", NOW, Duration.ofDays(1));
        SigningKey p384 = SigningKey.generate(SigningAlgorithm.ES384, "c", NOW, Duration.ofDays(1));

        assertThatThrownBy(() -> SigningKey.fromPem(ec.privateKeyPem(), rsa.certificatePem()))
                .hasMessage("private key type EC does not match the certificate's RSA key");
        assertThatThrownBy(() -> SigningKey.fromPem(p384.privateKeyPem(), ec.certificatePem()))
                .hasMessage("private key does not match the certificate's public key");
    }

    @Test
    void refusesUnsupportedKeys() {
        assertThatThrownBy(() -> SigningKey.fromPem(resource("openssl-p521.key"), resource("openssl-p521.crt")))
                .hasMessageContaining("unsupported EC curve");
        assertThatThrownBy(() -> SigningKey.fromPem(resource("openssl-rsa1024.key"), resource("openssl-rsa1024.crt")))
                .hasMessage("certificate RSA key is shorter than 2048 bits");
        assertThatThrownBy(() -> SigningKey.fromPem(resource("openssl-p256-encrypted.key"), resource("openssl-p256.crt")))
                .hasMessageContaining("encrypted");
    }

    @Test
    void pemErrorsNeverQuoteTheKey() {
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "a", NOW, Duration.ofDays(1));
        String body = key.privateKeyPem().split("\n")[1];
        String corrupted = key.privateKeyPem().replace(body, body.substring(0, 20) + "!!!!" + body.substring(24));
        String truncated = key.privateKeyPem().substring(0, 80);
        String noHeader = body + "\n";

        for (String pem : new String[] {corrupted, truncated, noHeader, "", "   "}) {
            assertThatThrownBy(() -> SigningKey.fromPem(pem, key.certificatePem()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> {
                        assertThat(e.getMessage()).startsWith("private key PEM").doesNotContain(body.substring(0, 16));
                        assertThat(e.getCause()).isNull();
                    });
        }
        assertThatThrownBy(() -> SigningKey.fromPem(key.privateKeyPem(), key.privateKeyPem()))
                .hasMessage("certificate PEM does not start with a CERTIFICATE block");
        assertThatThrownBy(() -> SigningKey.fromPem(key.privateKeyPem(), key.certificatePem() + key.certificatePem()))
                .hasMessage("certificate PEM must hold exactly one certificate");
        assertThatThrownBy(() -> SigningKey.fromPem(key.privateKeyPem(), "junk"))
                .isInstanceOf(IllegalArgumentException.class).message().startsWith("certificate PEM");
    }

    @Test
    void toStringShowsOnlyKidAndAlgorithm() {
        SigningKey key = SigningKey.generate(SigningAlgorithm.RS256, "a", NOW, Duration.ofDays(1));
        assertThat(key.toString()).isEqualTo("SigningKey[kid=" + key.kid() + ", alg=RS256]");
        String der = Base64.getEncoder().encodeToString(key.privateKey().getEncoded());
        assertThat(key.toString()).doesNotContain(der.substring(0, 12));
    }

    @Test
    void refusesANonPositiveValidity() {
        assertThatThrownBy(() -> SigningKey.generate(SigningAlgorithm.ES256, "a", NOW, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
