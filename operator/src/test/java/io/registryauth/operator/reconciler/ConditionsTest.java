package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123Z");

    @Test
    void transitionTimeMovesOnlyWhenTheStatusFlips() {
        List<Condition> first = Conditions.set(List.of(), "Ready", false, "Waiting", "a", 1L, T0);
        assertThat(first.get(0).getLastTransitionTime()).isEqualTo("2026-03-01T10:00:00Z");

        List<Condition> sameStatus = Conditions.set(first, "Ready", false, "Other", "b", 2L, T0.plusSeconds(60));
        assertThat(sameStatus.get(0).getLastTransitionTime()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(sameStatus.get(0).getReason()).isEqualTo("Other");
        assertThat(sameStatus.get(0).getObservedGeneration()).isEqualTo(2L);

        List<Condition> flipped = Conditions.set(sameStatus, "Ready", true, "Ready", "c", 2L, T0.plusSeconds(120));
        assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo("2026-03-01T10:02:00Z");
        assertThat(flipped.get(0).getStatus()).isEqualTo("True");
    }

    @Test
    void unchangedInputGivesAnEqualListSoNothingIsWritten() {
        List<Condition> once = Conditions.set(List.of(), "Ready", true, "Ready", "m", 1L, T0);
        assertThat(Conditions.set(once, "Ready", true, "Ready", "m", 1L, T0.plusSeconds(3600))).isEqualTo(once);
    }

    @Test
    void conditionsAreSortedByType() {
        List<Condition> both = Conditions.set(Conditions.set(List.of(), "Ready", true, "R", "m", 1L, T0),
                "Accepted", true, "A", "m", 1L, T0);
        assertThat(both).extracting(Condition::getType).containsExactly("Accepted", "Ready");
        assertThat(Conditions.isTrue(both, "Accepted")).isTrue();
        assertThat(Conditions.status(both, "Missing")).isNull();
    }
}
