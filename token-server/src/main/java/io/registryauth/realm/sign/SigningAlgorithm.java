package io.registryauth.realm.sign;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;

/**
 * The token signing algorithms distribution v2.8 and v3 both verify: an EC key signs only with its own
 * curve's algorithm, RSA keys use RS256.
 */
public enum SigningAlgorithm {
    ES256(JWSAlgorithm.ES256, "EC", Curve.P_256, "SHA256withECDSA"),
    ES384(JWSAlgorithm.ES384, "EC", Curve.P_384, "SHA384withECDSA"),
    RS256(JWSAlgorithm.RS256, "RSA", null, "SHA256withRSA");

    static final int RSA_BITS = 2048;

    private final JWSAlgorithm jwsAlgorithm;
    private final String keyAlgorithm;
    private final Curve curve;
    private final String certificateSignature;

    SigningAlgorithm(JWSAlgorithm jwsAlgorithm, String keyAlgorithm, Curve curve, String certificateSignature) {
        this.jwsAlgorithm = jwsAlgorithm;
        this.keyAlgorithm = keyAlgorithm;
        this.curve = curve;
        this.certificateSignature = certificateSignature;
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
}
