package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CredentialCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));

    @Test
    void keysDependOnEveryFieldAndOnTheirBoundaries() {
        CredentialCache cache = new CredentialCache(10, Duration.ofMinutes(1), clock);
        Digest key = cache.key("svc", "alice", "pw", "hash");

        assertThat(cache.key("svc", "alice", "pw", "hash")).isEqualTo(key).hasSameHashCodeAs(key);
        assertThat(cache.key("svc2", "alice", "pw", "hash")).isNotEqualTo(key);
        assertThat(cache.key("svc", "alicf", "pw", "hash")).isNotEqualTo(key);
        assertThat(cache.key("svc", "alice", "pX", "hash")).isNotEqualTo(key);
        assertThat(cache.key("svc", "alice", "pw", "hasH")).isNotEqualTo(key);
        assertThat(cache.key("svc", "alic", "epw", "hash")).isNotEqualTo(key);
        assertThat(key.toString()).doesNotContain("pw");
    }

    @Test
    void keysFromAnotherInstanceNeverMatch() {
        CredentialCache a = new CredentialCache(10, Duration.ofMinutes(1), clock);
        CredentialCache b = new CredentialCache(10, Duration.ofMinutes(1), clock);

        assertThat(a.key("svc", "alice", "pw", "hash")).isNotEqualTo(b.key("svc", "alice", "pw", "hash"));
    }

    @Test
    void remembersUntilTheMaxAgeAndCounts() {
        CredentialCache cache = new CredentialCache(10, Duration.ofMinutes(1), clock);
        Digest key = cache.key("svc", "alice", "pw", "hash");
        assertThat(cache.contains(key)).isFalse();

        cache.remember(key);
        clock.advance(Duration.ofSeconds(59));
        assertThat(cache.contains(key)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.contains(key)).isFalse();

        assertThat(cache.stats()).isEqualTo(new CredentialCache.Stats(1, 2, 0));
    }

    @Test
    void evictsTheOldestEntriesBeyondTheBound() {
        CredentialCache cache = new CredentialCache(3, Duration.ofMinutes(1), clock);
        Digest[] keys = new Digest[5];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = cache.key("svc", "user" + i, "pw", "hash");
            cache.remember(keys[i]);
        }

        assertThat(cache.stats().size()).isEqualTo(3);
        assertThat(cache.contains(keys[0])).isFalse();
        assertThat(cache.contains(keys[1])).isFalse();
        assertThat(cache.contains(keys[2])).isTrue();
        assertThat(cache.contains(keys[4])).isTrue();
    }

    @Test
    void zeroMaxAgeCachesNothing() {
        CredentialCache cache = new CredentialCache(3, Duration.ZERO, clock);
        Digest key = cache.key("svc", "alice", "pw", "hash");
        cache.remember(key);

        assertThat(cache.contains(key)).isFalse();
    }

    @Test
    void refusesInvalidBounds() {
        assertThatThrownBy(() -> new CredentialCache(0, Duration.ofMinutes(1), clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CredentialCache(1, Duration.ofMinutes(-1), clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
