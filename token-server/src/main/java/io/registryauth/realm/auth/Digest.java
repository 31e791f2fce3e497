package io.registryauth.realm.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * A fixed-size digest standing in for what it was computed from (a credential, a throttle key), so a map
 * keyed by it holds no secret and no input of unbounded length. Equality is by content.
 */
public final class Digest {
    private final byte[] bytes;
    private final int hash;

    private Digest(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The first {@code size} bytes of SHA-256 over the length-prefixed {@code parts} (null counts as ""). */
    public static Digest sha256(int size, String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                update(sha, part);
            }
            return new Digest(Arrays.copyOf(sha.digest(), size));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The MAC over the length-prefixed {@code parts}; {@code mac} is initialised with its key and reset after. */
    public static Digest mac(Mac mac, String... parts) {
        for (String part : parts) {
            byte[] bytes = (part == null ? "" : part).getBytes(StandardCharsets.UTF_8);
            mac.update(lengthOf(bytes));
            mac.update(bytes);
        }
        return new Digest(mac.doFinal());
    }

    /** Length-prefixed fields, so ("ab","c") and ("a","bc") never collide. */
    private static void update(MessageDigest sha, String part) {
        byte[] bytes = (part == null ? "" : part).getBytes(StandardCharsets.UTF_8);
        sha.update(lengthOf(bytes));
        sha.update(bytes);
    }

    private static byte[] lengthOf(byte[] bytes) {
        int n = bytes.length;
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Digest digest && Arrays.equals(bytes, digest.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "Digest";
    }
}
