package io.registryauth.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The state moves time-bound grants along with its clock, without a new snapshot from the feed. */
class RealmStateTimeTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final Identity ALICE = new Identity("alice", Set.of(), "htpasswd", SubjectKind.USER);
    private static final List<ResourceScope> PUSH = List.of(new ResourceScope("repository", null, "team-a/app",
            Set.of("push")));
    private static final SigningKey KEY = SigningKey.generate(SigningAlgorithm.ES256, "t", T0, Duration.ofDays(1));

    private static RealmSnapshot snapshot(Instant compiledAt, Instant validUntil) {
        Grant grant = new Grant("ns/contract", List.of(Subject.user("alice")), List.of("team-a/**"), Set.of("push"),
                false).validBetween(null, validUntil);
        RealmConfig realm = new RealmConfig("ns/main", "registry.test", "issuer", "https://auth.test/token",
                Duration.ofMinutes(5), Duration.ZERO, KeyRing.of(KEY),
                "refresh-key-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8), false, Map.of(),
                Policy.compile(List.of(grant), compiledAt));
        return RealmSnapshot.of(List.of(realm));
    }

    private static boolean canPush(RealmState state) {
        return !state.current().realm("registry.test").orElseThrow().policy().authorize(ALICE, PUSH).isEmpty();
    }

    @Test
    void aGrantStopsAtValidUntilExactlyWithoutASwap() {
        MutableClock clock = new MutableClock(T0);
        RealmState state = new RealmState(snapshot(T0, T0.plusSeconds(30)), clock);
        assertThat(canPush(state)).isTrue();
        clock.set(T0.plusSeconds(30).minusNanos(1));
        assertThat(canPush(state)).isTrue();
        clock.set(T0.plusSeconds(30));
        assertThat(canPush(state)).isFalse();
        RealmSnapshot moved = state.current();
        assertThat(state.current()).as("recompiled once, then kept").isSameAs(moved);
    }

    @Test
    void aSnapshotCompiledAtAnotherInstantIsMovedToTheStatesClock() {
        // The feed compiled it before validUntil; the state's clock is already past it (and the other way round).
        MutableClock clock = new MutableClock(T0.plusSeconds(60));
        RealmState state = new RealmState(clock);
        state.swap(snapshot(T0, T0.plusSeconds(30)));
        assertThat(canPush(state)).isFalse();
        clock.set(T0);
        state.swap(snapshot(T0.plusSeconds(60), T0.plusSeconds(30)));
        assertThat(canPush(state)).isTrue();
    }

    @Test
    void concurrentReadersAtTheBoundaryShareOneRecompiledSnapshot() throws Exception {
        MutableClock clock = new MutableClock(T0);
        RealmState state = new RealmState(snapshot(T0, T0.plusSeconds(30)), clock);
        state.current();
        clock.set(T0.plusSeconds(31));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        Set<RealmSnapshot> seen = ConcurrentHashMap.newKeySet();
        Set<Boolean> answers = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 8; i++) {
            pool.submit(() -> {
                go.await();
                seen.add(state.current());
                answers.add(canPush(state));
                return null;
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(answers).containsExactly(false);
        assertThat(seen).hasSize(1);
    }

    @Test
    void aSnapshotWithoutTimeBoundGrantsIsHandedOutAsIs() {
        RealmSnapshot plain = snapshot(T0, null);
        RealmState state = new RealmState(plain, new MutableClock(T0));
        assertThat(state.current()).isSameAs(plain);
    }
}
