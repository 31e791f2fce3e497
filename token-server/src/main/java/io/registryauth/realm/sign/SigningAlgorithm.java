package io.registryauth.realm.sign;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;

/**
 * The token signing algorithms distribution v2.8 and v3 both verify: an EC key signs only with its own
 * curve's algorithm, RSA keys use RS256.
 */
public enum SigningAlgorithm {
    ES256(JWSAlgorithm.ES256, "EC", Curve.P_256, "SHA256withECDSA", "SHA256withECDSAinP1363Format"),
    ES384(JWSAlgorithm.ES384, "EC", Curve.P_384, "SHA384withECDSA", "SHA384withECDSAinP1363Format"),
    RS256(JWSAlgorithm.RS256, "RSA", null, "SHA256withRSA", "SHA256withRSA");

    static final int RSA_BITS = 2048;

    private final JWSAlgorithm jwsAlgorithm;
    private final String keyAlgorithm;
    private final Curve curve;
    private final String certificateSignature;
    private final String tokenSignature;

    SigningAlgorithm(JWSAlgorithm jwsAlgorithm, String keyAlgorithm, Curve curve, String certificateSignature,
                     String tokenSignature) {
        this.jwsAlgorithm = jwsAlgorithm;
        this.keyAlgorithm = keyAlgorithm;
        this.curve = curve;
        this.certificateSignature = certificateSignature;
        this.tokenSignature = tokenSignature;
    }

    public JWSAlgorithm jwsAlgorithm() {
        return jwsAlgorithm;
    }

    /** JCA key algorithm name: "EC" or "RSA". */
    String keyAlgorithm() {
        return keyAlgorithm;
    }

    /** The EC curve, null for RSA. */
    Curve curve() {
        return curve;
    }

    /** JCA signature algorithm the self-signed certificate is signed with. */
    String certificateSignature() {
        return certificateSignature;
    }

    /**
     * JCA signature algorithm whose output is the JWS signature as RFC 7518 section 3 defines it: for EC keys
     * the fixed-length R || S (IEEE P1363), not DER; for RSA the PKCS #1 v1.5 signature itself.
     */
    String tokenSignature() {
        return tokenSignature;
    }
}
