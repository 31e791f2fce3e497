package io.registryauth.realm.auth;

import java.time.Instant;

/**
 * What a session (a realm refresh token) started by a login depends on, as the admitting source sees it.
 * Carried inside the encrypted refresh token, so any replica can re-check it without shared memory.
 *
 * @param credential           a fingerprint of the credential that admitted the caller (the stored
 *                             password hash, the robot password hash, the service account's uid), so the
 *                             session ends when that credential changes; null when there is none
 * @param remoteToken          the provider access token the caller logged in with, for a source that can
 *                             ask its provider about it again (introspection); null otherwise
 * @param remoteTokenExpiresAt when {@code remoteToken} expires (the provider cannot be asked after that)
 * @param notAfter             the latest end of the session this source allows; null = the realm's
 *                             refresh-token lifetime alone decides
 */
public record SessionBinding(String credential, String remoteToken, Instant remoteTokenExpiresAt, Instant notAfter) {
    public static final SessionBinding NONE = new SessionBinding(null, null, null, null);

    public static SessionBinding credential(String fingerprint) {
        return new SessionBinding(fingerprint, null, null, null);
    }

    @Override
    public String toString() {
        return "SessionBinding[remoteToken=" + (remoteToken == null ? "none" : "<redacted>") + ", notAfter="
                + notAfter + "]";
    }
}
