package io.registryauth.realm.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Credentials;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A provider behind HTTPS with a certificate only its CA bundle vouches for. */
class PrivateCaTest {
    private static FakeIdentityProvider idp;
    private static String certificatePem;

    @BeforeAll
    static void start() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X500Name name = new X500Name("CN=127.0.0.1");
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name,
                        keys.getPublic())
                        .addExtension(Extension.subjectAlternativeName, false,
                                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")))
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(certificate);
        }
        certificatePem = pem.toString();

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("tls", keys.getPrivate(), new char[0], new X509Certificate[] {certificate});
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        idp = new FakeIdentityProvider(tls);
    }

    @AfterAll
    static void stop() {
        idp.close();
    }

    private static AuthResult login(String caBundlePem) {
        OidcProvider provider = new OidcProvider("private", idp.issuer, List.of(), "preferred_username", "groups", "",
                Set.of(), null, caBundlePem, Duration.ofMinutes(5));
        RealmConfig realm = OidcTestRealms.realm(provider);
        // Generous timeouts: a cold TLS handshake on a busy machine can take seconds, and this test is about trust.
        OidcAuthenticator authenticator = new OidcAuthenticator(OidcAuthenticator.Settings.defaults()
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        return authenticator.authenticate(realm,
                new Credentials("alice", idp.token("alice", Instant.now().plusSeconds(300), c -> { })));
    }

    @Test
    void providerIsReachedThroughItsCaBundle() {
        assertThat(idp.issuer).startsWith("https://");
        assertThat(login(certificatePem)).isInstanceOf(AuthResult.Admitted.class);
    }

    @Test
    void withoutTheBundleTheProvidersCertificateIsNotTrusted() {
        AuthResult result = login(null);

        assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) result).reason()).contains("TLS with " + idp.issuer + " failed");
    }

    @Test
    void unusableBundleIsAClearOutage() {
        AuthResult result = login("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) result).reason()).contains("the CA bundle of identity provider private");
    }
}
