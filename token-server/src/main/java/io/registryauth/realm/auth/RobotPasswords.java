package io.registryauth.realm.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Passwords of robots (generated grant credentials) and their hashes.
 *
 * <p>A password is 32 random bytes, base64url (43 characters). Because it carries 256 bits of entropy, a
 * slow hash buys nothing: nobody can guess such a password whatever the hash costs. So the hash is
 * SHA-256 over a 16-byte random salt followed by the password (the salt keeps equal passwords from
 * having equal hashes), written {@code $sha256$<salt>$<digest>} in base64url, and a check costs
 * microseconds: no credential cache is needed. Only passwords of at least {@link #MIN_PASSWORD_CHARS}
 * characters are hashed, so a person-chosen password never ends up behind a fast hash.
 */
public final class RobotPasswords {
    public static final int MIN_PASSWORD_CHARS = 32;
    private static final String PREFIX = "$sha256$";
    private static final int SALT_BYTES = 16;
    private static final int DIGEST_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private RobotPasswords() {
    }

    /** A new password and its hash: the password goes into the pull Secret, only the hash into the realm. */
    public record Generated(String password, String hash) {
        @Override
        public String toString() {
            return "Generated[password=<redacted>]";
        }
    }

    public static Generated generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String password = ENCODER.encodeToString(secret);
        Arrays.fill(secret, (byte) 0);
        return new Generated(password, hash(password));
    }

    /** Hashes {@code password} with a fresh salt; refuses passwords too short to be random ones. */
    public static String hash(String password) {
        if (password == null || password.length() < MIN_PASSWORD_CHARS) {
            throw new IllegalArgumentException("robot passwords must be at least " + MIN_PASSWORD_CHARS
                    + " characters of random text");
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return PREFIX + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(digest(salt, password));
    }

    /** Whether {@code password} is the one {@code hash} was made from; false for a malformed hash. */
    public static boolean matches(String password, String hash) {
        byte[][] parts = parse(hash);
        if (parts == null || password == null) {
            return false;
        }
        return MessageDigest.isEqual(digest(parts[0], password), parts[1]);
    }

    /** Whether {@code hash} has the shape {@link #hash} writes. */
    public static boolean wellFormed(String hash) {
        return parse(hash) != null;
    }

    /** Salt and digest, or null when the text is not a hash of ours. */
    private static byte[][] parse(String hash) {
        if (hash == null || !hash.startsWith(PREFIX)) {
            return null;
        }
        String rest = hash.substring(PREFIX.length());
        int dollar = rest.indexOf('$');
        if (dollar < 0) {
            return null;
        }
        try {
            byte[] salt = DECODER.decode(rest.substring(0, dollar));
            byte[] digest = DECODER.decode(rest.substring(dollar + 1));
            return salt.length == SALT_BYTES && digest.length == DIGEST_BYTES ? new byte[][] {salt, digest} : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] digest(byte[] salt, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
            sha256.update(bytes);
            Arrays.fill(bytes, (byte) 0);
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
