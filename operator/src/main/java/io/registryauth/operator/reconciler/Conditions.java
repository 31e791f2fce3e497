package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** Condition lists as `kubectl wait` reads them: sorted by type, lastTransitionTime moving only on a flip. */
final class Conditions {
    static final String READY = "Ready";
    static final String ACCEPTED = "Accepted";
    static final String TRUE = "True";
    static final String FALSE = "False";

    private Conditions() {
    }

    /**
     * {@code existing} with the condition of {@code type} set; the previous transition time is kept when the
     * status did not change, so an unchanged condition compares equal and causes no write.
     */
    static List<Condition> set(List<Condition> existing, String type, boolean status, String reason,
                               String message, Long generation, Instant now) {
        String statusText = status ? TRUE : FALSE;
        List<Condition> out = new ArrayList<>();
        String transition = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (Condition c : existing == null ? List.<Condition>of() : existing) {
            if (type.equals(c.getType())) {
                if (statusText.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    transition = c.getLastTransitionTime();
                }
            } else {
                out.add(c);
            }
        }
        out.add(new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason)
                .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(transition)
                .build());
        out.sort(Comparator.comparing(Condition::getType));
        return out;
    }

    /** Whether {@code conditions} hold {@code type} with status True. */
    static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && TRUE.equals(c.getStatus()));
    }

    /** The condition's status text, or null when absent. */
    static String status(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> Objects.equals(type, c.getType()))
                .map(Condition::getStatus).findFirst().orElse(null);
    }
}
