package io.registryauth.realm.sign;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LibtrustKeyIdTest {
    @Test
    void ecP256VectorFromProtocol() throws Exception {
        ECKey jwk = new ECKey.Builder(Curve.P_256, new Base64URL("m7zUpx3b-zmVE5cymSs64POG9QcyEpJaYCD82-549_Q"),
                new Base64URL("dU3biz8sZ_8GPB-odm8Wxz3lNDr1xcAQQPQaOcr1fmc")).build();

        assertThat(LibtrustKeyId.of(jwk.toECPublicKey()))
                .isEqualTo("PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6");
        assertThat(jwk.computeThumbprint().toString()).isEqualTo("8qjioA3ZA7ti2JIE7c-U8smBFuZolQZvhSHDPU3hhB8");
    }

    @Test
    void rsaVectorFromProtocol() {
        byte[] spkiSha256 = HexFormat.of().parseHex("673be81b5360084b2d7987e836174c5ce9fe3ed36bbb870c5941eec26471399e");

        assertThat(LibtrustKeyId.fromDigest(spkiSha256))
                .isEqualTo("M456:QG2T:MAEE:WLLZ:Q7UD:MF2M:LTU7:4PWT:NO5Y:ODCZ:IHXM:EZDR");
    }

    @Test
    void matchesAnIndependentComputationForOpensslKeys() {
        // Expected values computed with openssl + Python's base64.b32encode over the certificates' SPKI.
        assertThat(LibtrustKeyId.of(certificateKey("openssl-p256.crt")))
                .isEqualTo("UNY3:I2I2:5LHW:GHJO:V43I:JKY2:D5MA:FYJL:ELFO:PXYJ:PH53:JZ5K");
        assertThat(LibtrustKeyId.of(certificateKey("openssl-rsa2048.crt")))
                .isEqualTo("6AJH:Y36J:HM4L:E2BC:UPFA:7VR6:ZSY5:IEX3:QKKF:URNC:OW4U:G56X");
    }

    @Test
    void formatIsTwelveGroupsOfFourBase32Characters() {
        byte[] digest = new byte[32];
        for (int i = 0; i < digest.length; i++) {
            digest[i] = (byte) (0xff - i * 7);
        }
        assertThat(LibtrustKeyId.fromDigest(digest)).matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}");
    }

    private static java.security.PublicKey certificateKey(String resource) {
        try {
            return java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(LibtrustKeyIdTest.class.getResourceAsStream(resource)).getPublicKey();
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
