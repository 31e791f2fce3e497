package io.registryauth.realm.sign;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A token signing key with the self-signed certificate a registry trusts it through. Immutable; the
 * encoded token headers are built once here, and each thread keeps a signature object initialised with the
 * key, so issuing a token costs little more than the signature itself.
 */
public final class SigningKey {
    /** Certificates start this much before the requested time so registries with a slow clock accept them. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final byte[] certificateDer;
    private final String kid;
    private final JWK publicJwk;
    private final String thumbprint;
    /**
     * An initialised JCA Signature per thread: asking the provider for one and initialising it for every
     * token was a visible part of a token's cost (what a Nimbus signer does per call).
     */
    private final ThreadLocal<Signature> signatures = ThreadLocal.withInitial(this::newSignature);
    private final String headerWithX5c;
    private final String headerKidOnly;

    private SigningKey(SigningAlgorithm algorithm, PrivateKey privateKey, X509Certificate certificate) {
        this.algorithm = algorithm;
        this.privateKey = privateKey;
        this.certificate = certificate;
        try {
            this.certificateDer = certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
        PublicKey publicKey = certificate.getPublicKey();
        this.kid = LibtrustKeyId.of(publicKey);
        this.publicJwk = toJwk(algorithm, publicKey, kid);
        try {
            this.thumbprint = publicJwk.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable " + algorithm + " key", e);
        }
        newSignature(); // an unusable key fails here, not on the first token
        String x5c = Base64.getEncoder().encodeToString(certificateDer);
        String common = "{\"alg\":\"" + algorithm.name() + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"";
        this.headerWithX5c = base64Url(common + ",\"x5c\":[\"" + x5c + "\"]}");
        this.headerKidOnly = base64Url(common + "}");
    }

    /**
     * A new key pair and a self-signed certificate valid from {@code notBefore} (minus a few minutes of
     * clock skew) for {@code validity}.
     */
    public static SigningKey generate(SigningAlgorithm algorithm, String commonName, Instant notBefore,
                                      Duration validity) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(commonName, "commonName");
        if (validity.isZero() || validity.isNegative()) {
            throw new IllegalArgumentException("certificate validity must be positive");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.keyAlgorithm());
            if (algorithm.curve() != null) {
                generator.initialize(new ECGenParameterSpec(algorithm.curve().getStdName()), RANDOM);
            } else {
                generator.initialize(SigningAlgorithm.RSA_BITS, RANDOM);
            }
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            // 159 random bits: positive and at most 20 bytes, as RFC 5280 asks of serial numbers.
            BigInteger serial = new BigInteger(159, RANDOM).setBit(0);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(notBefore.minus(CLOCK_SKEW)), Date.from(notBefore.plus(validity)), subject,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(pair.getPublic()));
            X509CertificateHolder holder = builder.build(
                    new JcaContentSignerBuilder(algorithm.certificateSignature()).build(pair.getPrivate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            return new SigningKey(algorithm, pair.getPrivate(), certificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " signing key", e);
        }
    }

    /**
     * A key from PEM: a PKCS#8 "PRIVATE KEY" (or a traditional EC/RSA key) and its certificate. The
     * algorithm follows from the certificate's key: P-256 = ES256, P-384 = ES384, RSA (at least 2048
     * bits) = RS256. Errors say what is wrong without ever quoting the key.
     */
    public static SigningKey fromPem(String privateKeyPem, String certificatePem) {
        X509Certificate certificate = parseCertificate(certificatePem);
        SigningAlgorithm algorithm = algorithmOf(certificate.getPublicKey());
        PrivateKey privateKey = parsePrivateKey(privateKeyPem);
        if (!privateKey.getAlgorithm().equals(algorithm.keyAlgorithm())) {
            throw new IllegalArgumentException("private key type " + privateKey.getAlgorithm()
                    + " does not match the certificate's " + algorithm.keyAlgorithm() + " key");
        }
        if (!matches(privateKey, certificate.getPublicKey(), algorithm)) {
            throw new IllegalArgumentException("private key does not match the certificate's public key");
        }
        return new SigningKey(algorithm, privateKey, certificate);
    }

    private static X509Certificate parseCertificate(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("certificate PEM is empty");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object first = parser.readObject();
            if (!(first instanceof X509CertificateHolder holder)) {
                throw new IllegalArgumentException("certificate PEM does not start with a CERTIFICATE block");
            }
            if (parser.readObject() != null) {
                throw new IllegalArgumentException("certificate PEM must hold exactly one certificate");
            }
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (IOException | CertificateException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("certificate PEM cannot be parsed", e);
        }
    }

    private static PrivateKey parsePrivateKey(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("private key PEM is empty");
        }
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            object = parser.readObject();
        } catch (IOException | RuntimeException e) {
            // The parser's own message may quote the input: keep it (and the cause) out.
            throw new IllegalArgumentException("private key PEM cannot be parsed");
        }
        if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IllegalArgumentException("private key PEM is encrypted; an unencrypted PKCS#8 key is needed");
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("private key PEM holds an unreadable key");
        }
        throw new IllegalArgumentException("private key PEM does not hold a PRIVATE KEY block");
    }

    private static SigningAlgorithm algorithmOf(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (Curve.P_256.equals(curve)) {
                return SigningAlgorithm.ES256;
            }
            if (Curve.P_384.equals(curve)) {
                return SigningAlgorithm.ES384;
            }
            throw new IllegalArgumentException("certificate key is on an unsupported EC curve (P-256 or P-384 needed)");
        }
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < SigningAlgorithm.RSA_BITS) {
                throw new IllegalArgumentException("certificate RSA key is shorter than 2048 bits");
            }
            return SigningAlgorithm.RS256;
        }
        throw new IllegalArgumentException("certificate key type " + key.getAlgorithm() + " is not supported");
    }

    /** Proves the pair by signing a random challenge: works the same for every key type. */
    private static boolean matches(PrivateKey privateKey, PublicKey publicKey, SigningAlgorithm algorithm) {
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signing = Signature.getInstance(algorithm.certificateSignature());
            signing.initSign(privateKey);
            signing.update(challenge);
            byte[] signature = signing.sign();
            Signature verifying = Signature.getInstance(algorithm.certificateSignature());
            verifying.initVerify(publicKey);
            verifying.update(challenge);
            return verifying.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static JWK toJwk(SigningAlgorithm algorithm, PublicKey publicKey, String kid) {
        if (publicKey instanceof ECPublicKey ec) {
            return new ECKey.Builder(algorithm.curve(), ec).keyID(kid).algorithm(algorithm.jwsAlgorithm())
                    .keyUse(KeyUse.SIGNATURE).build();
        }
        return new RSAKey.Builder((RSAPublicKey) publicKey).keyID(kid).algorithm(algorithm.jwsAlgorithm())
                .keyUse(KeyUse.SIGNATURE).build();
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    public SigningAlgorithm algorithm() {
        return algorithm;
    }

    /** The libtrust key ID (what distribution v2.x matches the token's {@code kid} against). */
    public String kid() {
        return kid;
    }

    /** RFC 7638 SHA-256 JWK thumbprint, base64url (what distribution v3 derives from the bundle). */
    public String thumbprint() {
        return thumbprint;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PublicKey publicKey() {
        return certificate.getPublicKey();
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public String certificatePem() {
        return pem("CERTIFICATE", certificateDer);
    }

    /** PKCS#8 PEM of the private key: a secret, to be stored only where secrets go. */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    /** The public key as a JWK with kid = libtrust key ID, alg and use "sig". */
    public JWK publicJwk() {
        return publicJwk;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** The base64url JWS signature of {@code signingInput} (header.payload, ASCII) with this key. */
    String sign(byte[] signingInput) {
        Signature signature = signatures.get();
        try {
            signature.update(signingInput);
            // sign() leaves the object initialised for the next token.
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (SignatureException e) {
            signatures.remove(); // its state is unknown now
            throw new IllegalStateException("token signing failed with key " + kid, e);
        }
    }

    private Signature newSignature() {
        try {
            Signature signature = Signature.getInstance(algorithm.tokenSignature());
            signature.initSign(privateKey);
            return signature;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable " + algorithm + " key", e);
        }
    }

    /** The base64url token header, with or without the x5c certificate. */
    String encodedHeader(boolean withX5c) {
        return withX5c ? headerWithX5c : headerKidOnly;
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + ", alg=" + algorithm + "]";
    }
}
