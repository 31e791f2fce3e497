package io.registryauth.realm.sign;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;

/**
 * The key ID docker/libtrust derives from a public key, which distribution v2.x matches against the
 * keys of its root certificate bundle: the SHA-256 of the DER SubjectPublicKeyInfo, first 30 bytes,
 * base32 without padding, in 12 colon-separated groups of 4.
 */
public final class LibtrustKeyId {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private LibtrustKeyId() {
    }

    public static String of(PublicKey publicKey) {
        try {
            return fromDigest(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The key ID for a SHA-256 digest of a SubjectPublicKeyInfo (30 bytes are used). */
    static String fromDigest(byte[] sha256) {
        if (sha256.length < 30) {
            throw new IllegalArgumentException("digest shorter than 30 bytes");
        }
        // 30 bytes = 240 bits = exactly 48 base32 characters, so no padding is ever needed.
        StringBuilder base32 = new StringBuilder(48);
        for (int i = 0; i < 30; i += 5) {
            long block = 0;
            for (int j = 0; j < 5; j++) {
                block = (block << 8) | (sha256[i + j] & 0xff);
            }
            for (int shift = 35; shift >= 0; shift -= 5) {
                base32.append(BASE32[(int) ((block >>> shift) & 31)]);
            }
        }
        StringBuilder kid = new StringBuilder(59);
        for (int i = 0; i < 48; i += 4) {
            if (i > 0) {
                kid.append(':');
            }
            kid.append(base32, i, i + 4);
        }
        return kid.toString();
    }
}
