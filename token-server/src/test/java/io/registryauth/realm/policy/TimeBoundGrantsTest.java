package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A policy indexes the grants in force at its instant, and knows until when that selection holds. */
class TimeBoundGrantsTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final Identity ALICE = new Identity("alice", Set.of(), "htpasswd", SubjectKind.USER);
    private static final List<ResourceScope> PUSH = List.of(new ResourceScope("repository", null, "team-a/app",
            Set.of("pull", "push")));
    private static final Grant PULL = new Grant("ns/pull", List.of(Subject.user("alice")), List.of("team-a/**"),
            Set.of("pull"), false);
    private static final Grant CONTRACT = new Grant("ns/contract", List.of(Subject.user("alice")),
            List.of("team-a/**"), Set.of("push"), false).validBetween(T0.plusSeconds(10), T0.plusSeconds(20));

    private static Set<String> actions(Policy policy) {
        List<ResourceScope> granted = policy.authorize(ALICE, PUSH);
        return granted.isEmpty() ? Set.of() : granted.get(0).actions();
    }

    @Test
    void aGrantCountsFromValidFromInclusiveToValidUntilExclusive() {
        List<Grant> grants = List.of(PULL, CONTRACT);
        assertThat(actions(Policy.compile(grants, T0.plusSeconds(10).minusNanos(1)))).containsExactly("pull");
        assertThat(actions(Policy.compile(grants, T0.plusSeconds(10)))).containsExactlyInAnyOrder("pull", "push");
        assertThat(actions(Policy.compile(grants, T0.plusSeconds(20).minusNanos(1))))
                .containsExactlyInAnyOrder("pull", "push");
        assertThat(actions(Policy.compile(grants, T0.plusSeconds(20)))).containsExactly("pull");
    }

    @Test
    void aPolicyKnowsItsIntervalAndMovesWithTime() {
        Policy before = Policy.compile(List.of(PULL, CONTRACT), T0);
        assertThat(before.timeBound()).isTrue();
        assertThat(before.activeUntil()).isEqualTo(T0.plusSeconds(10));
        assertThat(before.inForceAt(T0.plusSeconds(9))).isTrue();
        assertThat(before.inForceAt(T0.plusSeconds(10))).isFalse();
        assertThat(before.at(T0.plusSeconds(5))).isSameAs(before);

        Policy during = before.at(T0.plusSeconds(15));
        assertThat(actions(during)).containsExactlyInAnyOrder("pull", "push");
        assertThat(during.activeUntil()).isEqualTo(T0.plusSeconds(20));
        assertThat(during.inForceAt(T0.plusSeconds(9))).isFalse();
        assertThat(during.grants()).containsExactly(PULL, CONTRACT);

        Policy after = during.at(T0.plusSeconds(20));
        assertThat(actions(after)).containsExactly("pull");
        assertThat(after.activeUntil()).isEqualTo(Instant.MAX);
        assertThat(after.inForceAt(T0.plusSeconds(19))).isFalse();
        assertThat(after.inForceAt(T0.plusSeconds(10_000))).isTrue();
    }

    @Test
    void grantsWithoutValidityNeverNeedTheClock() {
        Policy policy = Policy.compile(List.of(PULL));
        assertThat(policy.timeBound()).isFalse();
        assertThat(policy.at(Instant.MIN.plusSeconds(1))).isSameAs(policy);
        assertThat(Policy.empty().timeBound()).isFalse();
    }
}
