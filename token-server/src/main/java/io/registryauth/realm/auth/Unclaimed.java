package io.registryauth.realm.auth;

/**
 * Credentials no source owns: an unknown user name with a password that is no token any source would take.
 * They are refused with the same status and message as a wrong password for a known user, after the same
 * work (one bcrypt run), so neither the answer nor its timing tells which user names exist.
 */
public final class Unclaimed {
    /** The source recorded for such attempts (throttle key, metrics, audit). */
    public static final String SOURCE = "none";

    private Unclaimed() {
    }

    public static AuthResult refuse(Credentials credentials) {
        HtpasswdAuthenticator.spendLikeAPasswordCheck(credentials.password());
        return new AuthResult.Rejected(HtpasswdAuthenticator.INVALID);
    }
}
