package io.registryauth.realm.http;

import java.time.Duration;

/** The failure throttle refused to check credentials: a 429 with Retry-After, never a password check. */
final class TooManyFailures extends RuntimeException {
    private final Duration retryAfter;

    TooManyFailures(Duration retryAfter) {
        super("too many failed attempts", null, false, false);
        this.retryAfter = retryAfter;
    }

    /** Whole seconds, rounded up, at least one: what the Retry-After header carries. */
    long retryAfterSeconds() {
        long millis = Math.max(1, retryAfter.toMillis());
        return (millis + 999) / 1000;
    }
}
