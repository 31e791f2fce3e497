package io.registryauth.realm.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The generated credential of one grant: the robot's user name and the hashes of the passwords it may
 * log in with. Rotation adds the new password's hash and gives the previous one a {@code notAfter}, so
 * pulls that started with the old password keep working for a grace period.
 *
 * @param name      the user name in the pull Secret, see {@link #nameFor}
 * @param passwords accepted password hashes ({@link RobotPasswords#hash}), at least one
 */
public record RobotCredentials(String name, List<PasswordHash> passwords) {

    /** One accepted password hash; {@code notAfter} null means no end (the current password). */
    public record PasswordHash(String hash, Instant notAfter) {
        public PasswordHash {
            if (!RobotPasswords.wellFormed(hash)) {
                throw new IllegalArgumentException("robot password hash is not one RobotPasswords.hash writes");
            }
        }

        public static PasswordHash current(String hash) {
            return new PasswordHash(hash, null);
        }

        boolean acceptedAt(Instant now) {
            return notAfter == null || now.isBefore(notAfter);
        }

        @Override
        public String toString() {
            return "PasswordHash[notAfter=" + notAfter + "]";
        }
    }

    public RobotCredentials {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > BasicAuth.MAX_USERNAME_CHARS) {
            throw new IllegalArgumentException("robot name must have 1 to " + BasicAuth.MAX_USERNAME_CHARS
                    + " characters");
        }
        // Basic credentials split at the first ':', so a name holding one could never log in.
        if (name.chars().anyMatch(c -> c == ':' || c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("robot name '" + name.replaceAll("[^\\x21-\\x7e]", "?")
                    + "' contains ':', a space or a control character");
        }
        passwords = List.copyOf(passwords);
        if (passwords.isEmpty()) {
            throw new IllegalArgumentException("robot " + name + " has no password hash");
        }
    }

    /**
     * The robot name of grant {@code namespace/grant}: {@code robot$<namespace>$<grant>}. Namespaces
     * and object names never contain '$', so the name is unambiguous, and '$' passes Basic auth,
     * docker config files and URLs unharmed (':' would not survive Basic auth).
     */
    public static String nameFor(String namespace, String grant) {
        return NAME_PREFIX + namespace + "$" + grant;
    }

    /** The prefix every robot name starts with ({@link #nameFor}); such names belong to robots alone. */
    public static final String NAME_PREFIX = "robot$";

    /**
     * Whether {@code password} matches a hash still accepted at {@code now}. Every hash is tried, so the
     * time taken does not tell which one matched.
     */
    public boolean accepts(String password, Instant now) {
        return accepted(password, now).isPresent();
    }

    /** The still-accepted hash {@code password} matches, trying every hash as {@link #accepts} does. */
    public Optional<PasswordHash> accepted(String password, Instant now) {
        PasswordHash match = null;
        for (PasswordHash candidate : passwords) {
            if (RobotPasswords.matches(password, candidate.hash()) & candidate.acceptedAt(now)) {
                match = candidate;
            }
        }
        return Optional.ofNullable(match);
    }

    /** Whether a hash whose fingerprint is {@code fingerprint} is still accepted at {@code now}. */
    public boolean acceptsHash(String fingerprint, Instant now, Function<PasswordHash, String> fingerprints) {
        boolean accepted = false;
        for (PasswordHash candidate : passwords) {
            accepted |= MessageDigest.isEqual(fingerprint.getBytes(StandardCharsets.US_ASCII),
                    fingerprints.apply(candidate).getBytes(StandardCharsets.US_ASCII)) & candidate.acceptedAt(now);
        }
        return accepted;
    }

    @Override
    public String toString() {
        return "RobotCredentials[name=" + name + ", passwords=" + passwords.size() + "]";
    }
}
