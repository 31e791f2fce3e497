package io.registryauth.realm;

/**
 * A request the realm refuses, with the HTTP status and the registry errcode the client is told.
 * The message goes to the client verbatim, so it must never contain a password or a token.
 */
public final class RealmException extends RuntimeException {
    private final int status;
    private final String code;

    public RealmException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static RealmException badRequest(String message) {
        return new RealmException(400, "INVALID_REQUEST", message);
    }

    public static RealmException unauthorized(String message) {
        return new RealmException(401, "UNAUTHORIZED", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
