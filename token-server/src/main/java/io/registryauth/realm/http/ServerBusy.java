package io.registryauth.realm.http;

/**
 * A worker lane was full: a 503 with Retry-After, which docker and containers/image retry, where a 429
 * (TOOMANYREQUESTS) would make docker give up, and the caller did nothing wrong. Never a failed attempt.
 */
final class ServerBusy extends RuntimeException {
    static final long RETRY_AFTER_SECONDS = 1;

    ServerBusy() {
        super("token server busy", null, false, false);
    }
}
