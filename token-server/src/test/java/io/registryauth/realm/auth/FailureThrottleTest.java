package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final String IP = "10.0.0.7";
    private static final String SOURCE = "htpasswd";

    private final FailureThrottle throttle = new FailureThrottle();

    @Test
    void fourFailuresAreFreeTheFifthBlocksForOneSecond() {
        for (int i = 0; i < 4; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, T0);
            assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0)).isEmpty();
        }
        throttle.recordFailure(SOURCE, "alice", IP, T0);

        assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0)).contains(Duration.ofSeconds(1));
        assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0.plusMillis(400))).contains(Duration.ofMillis(600));
        assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0.plusSeconds(1))).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheDelayUpToFiveMinutes() {
        Instant now = T0;
        for (int i = 0; i < 4; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, now);
        }
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, now);
            Duration delay = throttle.blockedFor(SOURCE, "alice", IP, now).orElseThrow();
            delays.add(delay.getSeconds());
            now = now.plus(delay);
            assertThat(throttle.blockedFor(SOURCE, "alice", IP, now)).isEmpty();
        }

        assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L, 300L);
    }

    @Test
    void successForgetsThePair() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, T0);
        }
        throttle.recordSuccess(SOURCE, "alice", IP);

        assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0)).isEmpty();
        throttle.recordFailure(SOURCE, "alice", IP, T0);
        assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0)).isEmpty();
        assertThat(throttle.size()).isEqualTo(1);
    }

    @Test
    void pairsAreIndependent() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, T0);
        }

        assertThat(throttle.blockedFor(SOURCE, "alice", IP, T0)).isPresent();
        assertThat(throttle.blockedFor(SOURCE, "alice", "10.0.0.8", T0)).isEmpty();
        assertThat(throttle.blockedFor(SOURCE, "bob", IP, T0)).isEmpty();
    }

    @Test
    void sourcesAreIndependent() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(SOURCE, "bob", IP, T0);
        }
        // A success with another source's credential under bob's name (a service-account token, say).
        throttle.recordSuccess("serviceaccount", "bob", IP);

        assertThat(throttle.blockedFor(SOURCE, "bob", IP, T0)).isPresent();
        assertThat(throttle.blockedFor("serviceaccount", "bob", IP, T0)).isEmpty();
    }

    @Test
    void keepsNoUsernameHoweverLong() {
        // A 16 KB username must cost an entry of fixed size: the throttle keeps a digest, not the string.
        String longName = "u".repeat(16 * 1024) + System.nanoTime();
        java.lang.ref.WeakReference<String> name = new java.lang.ref.WeakReference<>(longName);
        throttle.recordFailure(SOURCE, longName, IP, T0);
        longName = null;
        for (int i = 0; i < 20 && name.get() != null; i++) {
            System.gc();
        }

        assertThat(name.get()).as("the username string is no longer reachable").isNull();
        assertThat(throttle.size()).isEqualTo(1);
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        for (int i = 0; i < 4; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, T0);
        }
        Instant later = T0.plus(FailureThrottle.DEFAULT_WINDOW).plusSeconds(1);
        throttle.recordFailure(SOURCE, "alice", IP, later);

        assertThat(throttle.blockedFor(SOURCE, "alice", IP, later)).isEmpty();
    }

    @Test
    void aQuietWindowAlsoResetsTheDelay() {
        Instant now = T0;
        for (int i = 0; i < 8; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, now);
        }
        assertThat(throttle.blockedFor(SOURCE, "alice", IP, now)).contains(Duration.ofSeconds(8));

        now = now.plus(FailureThrottle.DEFAULT_WINDOW).plusSeconds(1);
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(SOURCE, "alice", IP, now);
        }
        assertThat(throttle.blockedFor(SOURCE, "alice", IP, now)).contains(Duration.ofSeconds(1));
    }

    @Test
    void memoryIsBoundedLeastRecentlyUsedFirst() {
        FailureThrottle small = new FailureThrottle(2, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofMinutes(5), 3);
        small.recordFailure(SOURCE, "alice", IP, T0);
        small.recordFailure(SOURCE, "alice", IP, T0);
        small.recordFailure(SOURCE, "bob", IP, T0);
        small.recordFailure(SOURCE, "carol", IP, T0);
        assertThat(small.blockedFor(SOURCE, "alice", IP, T0)).isPresent();
        small.recordFailure(SOURCE, "dave", IP, T0);

        assertThat(small.size()).isEqualTo(3);
        // alice was touched last by the lookup, so bob (the least recently used) went.
        assertThat(small.blockedFor(SOURCE, "alice", IP, T0)).isPresent();
        small.recordFailure(SOURCE, "bob", IP, T0);
        assertThat(small.blockedFor(SOURCE, "bob", IP, T0)).isEmpty();
    }

    @Test
    void countsFailuresFromManyThreads() throws Exception {
        FailureThrottle many = new FailureThrottle(1000, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofMinutes(5), 100_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        many.recordFailure(SOURCE, "alice", IP, T0);
                        many.recordFailure(SOURCE, "user" + i, "addr" + Thread.currentThread().getId(), T0);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // Exactly the 1000th failure blocks: fewer would mean lost updates.
        assertThat(many.blockedFor(SOURCE, "alice", IP, T0)).contains(Duration.ofSeconds(1));
        assertThat(many.size()).isEqualTo(1 + 4 * 250);
    }

    @Test
    void refusesNonsenseSettings() {
        assertThatThrownBy(() -> new FailureThrottle(0, Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMinutes(5), 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureThrottle(5, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(5), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
