package io.registryauth.operator.model;

import static io.registryauth.operator.model.GrantModelTest.grant;
import static io.registryauth.operator.model.GrantModelTest.registryAuth;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.realm.policy.Grant;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** validFrom/validUntil: carried to the realm's grant, judged as the realm judges them, refused when unusable. */
class GrantValidityTest {
    private static final Instant FROM = Instant.parse("2026-07-01T08:00:00Z");
    private static final Instant UNTIL = Instant.parse("2026-07-01T18:00:00Z");

    private static RepositoryAccess timed(String from, String until) {
        RepositoryAccess grant = grant("registry", "contract", List.of("team-a/**"), RepositoryAction.PUSH);
        grant.getSpec().setValidFrom(from);
        grant.getSpec().setValidUntil(until);
        return grant;
    }

    @Test
    void theValidityPeriodReachesTheRealmsGrant() {
        RepositoryAccess grant = timed("2026-07-01T10:00:00+02:00", "2026-07-01T18:00:00Z");
        assertThat(GrantModel.problems(grant, registryAuth("registry", "main"))).isEmpty();
        Grant realm = GrantModel.toGrant(grant);
        assertThat(realm.validFrom()).isEqualTo(FROM);
        assertThat(realm.validUntil()).isEqualTo(UNTIL);
        assertThat(GrantModel.toGrant(grant("registry", "g", List.of("a/**"), RepositoryAction.PULL)).validUntil())
                .isNull();
    }

    @Test
    void validityAndNextBoundaryFollowTheClock() {
        RepositoryAccess grant = timed(FROM.toString(), UNTIL.toString());
        assertThat(GrantModel.validity(grant, FROM.minusSeconds(1))).contains(Grant.Validity.PENDING);
        assertThat(GrantModel.nextBoundary(grant, FROM.minusSeconds(1))).contains(FROM);
        assertThat(GrantModel.validity(grant, FROM)).contains(Grant.Validity.ACTIVE);
        assertThat(GrantModel.nextBoundary(grant, FROM)).contains(UNTIL);
        assertThat(GrantModel.validity(grant, UNTIL)).contains(Grant.Validity.EXPIRED);
        assertThat(GrantModel.nextBoundary(grant, UNTIL)).isEmpty();
        assertThat(GrantModel.validity(grant("registry", "g", List.of("a/**"), RepositoryAction.PULL), FROM)).isEmpty();
    }

    @Test
    void unusableOrBackwardPeriodsAreProblems() {
        List<GrantModel.Problem> backward = GrantModel.problems(timed(UNTIL.toString(), FROM.toString()),
                registryAuth("registry", "main"));
        assertThat(backward).extracting(GrantModel.Problem::reason).containsExactly(GrantModel.INVALID_VALIDITY);
        assertThat(backward.get(0).message()).contains("must be after spec.validFrom");
        List<GrantModel.Problem> unreadable = GrantModel.problems(timed("next monday", null),
                registryAuth("registry", "main"));
        assertThat(unreadable).extracting(GrantModel.Problem::reason).containsExactly(GrantModel.INVALID_VALIDITY);
        assertThat(unreadable.get(0).message()).contains("spec.validFrom").contains("RFC 3339");
    }
}
