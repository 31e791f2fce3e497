package io.registryauth.realm.auth;

import io.registryauth.realm.policy.SubjectKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A login that a realm refresh token carries: who logged in, with which groups, through which source,
 * when, until when, and what the session is bound to. Docker keeps the refresh token it was given and
 * sends the same value for weeks, so a session never changes after the login; re-checks read the current
 * state from the realm (or the provider) and end the session when its credential ended.
 */
public record Session(Identity identity, Instant startedAt, Instant expiresAt, SessionBinding binding) {
    public Session {
        binding = binding == null ? SessionBinding.NONE : binding;
    }

    public String subject() {
        return identity.name();
    }

    public Set<String> groups() {
        return identity.groups();
    }

    public String source() {
        return identity.authenticator();
    }

    public SubjectKind kind() {
        return identity.kind();
    }

    public Duration age(Instant now) {
        return Duration.between(startedAt, now);
    }

    @Override
    public String toString() {
        return "Session[subject=" + identity.name() + ", source=" + identity.authenticator() + ", startedAt="
                + startedAt + ", expiresAt=" + expiresAt + "]";
    }
}
