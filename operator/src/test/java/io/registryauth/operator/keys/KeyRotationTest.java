package io.registryauth.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.operator.keys.KeyRotation.Change;
import io.registryauth.operator.keys.KeyRotation.Policy;
import io.registryauth.operator.keys.KeyRotation.Registry;
import io.registryauth.operator.keys.KeyRotation.Step;
import io.registryauth.operator.keys.SigningKeySecret.State;
import io.registryauth.operator.keys.SigningKeySecret.StoredKey;
import io.registryauth.realm.sign.SigningAlgorithm;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyRotationTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration PERIOD = Duration.ofHours(720);
    static final Duration TTL = Duration.ofMinutes(15);
    static final Duration LEEWAY = Duration.ofMinutes(2);
    static final Policy POLICY = new Policy(SigningAlgorithm.ES256, "test", PERIOD, TTL, LEEWAY);
    static final Registry UNWIRED = new Registry.Unwired(Duration.ofMinutes(10));

    @Test
    void firstStepGeneratesAnActiveKeyAndRefreshKey() {
        Step step = KeyRotation.next(null, POLICY, UNWIRED, T0);
        assertThat(step.changed()).isTrue();
        assertThat(step.contents().refreshKey()).hasSize(32);
        assertThat(step.contents().keys()).singleElement().satisfies(k -> {
            assertThat(k.state()).isEqualTo(State.ACTIVE);
            assertThat(k.activatedAt()).isEqualTo(T0);
            assertThat(k.key().algorithm()).isEqualTo(SigningAlgorithm.ES256);
            assertThat(k.key().notAfter()).isAfter(T0.plus(PERIOD.multipliedBy(2)));
        });
        assertThat(step.changes()).extracting(Change::reason).containsExactly("KeyGenerated");
        assertThat(step.nextCheck()).contains(T0.plus(PERIOD));
    }

    @Test
    void nothingChangesBeforeTheRotationPeriod() {
        Step first = KeyRotation.next(null, POLICY, UNWIRED, T0);
        Step again = KeyRotation.next(first.contents(), POLICY, UNWIRED, T0.plus(PERIOD).minusSeconds(1));
        assertThat(again.changed()).isFalse();
        assertThat(again.changes()).isEmpty();
        assertThat(again.contents().keys()).isEqualTo(first.contents().keys());
        assertThat(again.contents().refreshKey()).isSameAs(first.contents().refreshKey());
    }

    @Test
    void unwiredRotationWaitsForTheLeadTimeThenRetiresTheOldKeyAfterTheTokenLifetime() {
        Step first = KeyRotation.next(null, POLICY, UNWIRED, T0);
        String oldId = first.contents().active().orElseThrow().id();

        Instant due = T0.plus(PERIOD);
        Step pending = KeyRotation.next(first.contents(), POLICY, UNWIRED, due);
        assertThat(pending.changes()).extracting(Change::reason).containsExactly("KeyPending");
        assertThat(pending.contents().active().orElseThrow().id()).isEqualTo(oldId);
        StoredKey fresh = pending.contents().pending().orElseThrow();
        assertThat(pending.contents().certificateBundlePem()).contains(fresh.key().certificatePem());
        assertThat(pending.nextCheck()).contains(due.plus(Duration.ofMinutes(10)));

        Step early = KeyRotation.next(pending.contents(), POLICY, UNWIRED, due.plus(Duration.ofMinutes(9)));
        assertThat(early.changed()).isFalse();

        Instant activation = due.plus(Duration.ofMinutes(10));
        Step rotated = KeyRotation.next(pending.contents(), POLICY, UNWIRED, activation);
        assertThat(rotated.changes()).extracting(Change::reason).containsExactly("KeyRotated");
        assertThat(rotated.contents().active().orElseThrow().id()).isEqualTo(fresh.id());
        StoredKey retiring = rotated.contents().keys().stream().filter(k -> k.id().equals(oldId)).findFirst()
                .orElseThrow();
        assertThat(retiring.state()).isEqualTo(State.RETIRING);
        assertThat(retiring.retireAfter()).isEqualTo(activation.plus(TTL).plus(LEEWAY));
        assertThat(rotated.contents().bundleHash()).isEqualTo(pending.contents().bundleHash());
        assertThat(rotated.nextCheck()).contains(retiring.retireAfter());

        Step stillThere = KeyRotation.next(rotated.contents(), POLICY, UNWIRED,
                retiring.retireAfter().minusSeconds(1));
        assertThat(stillThere.changed()).isFalse();
        assertThat(stillThere.contents().keyRing().orElseThrow().published()).hasSize(2);

        Step removed = KeyRotation.next(rotated.contents(), POLICY, UNWIRED, retiring.retireAfter());
        assertThat(removed.changes()).extracting(Change::reason).containsExactly("KeyRemoved");
        assertThat(removed.contents().keys()).extracting(StoredKey::id).containsExactly(fresh.id());
        assertThat(removed.contents().certificateBundlePem()).isEqualTo(fresh.key().certificatePem());
        assertThat(removed.nextCheck()).contains(activation.plus(PERIOD));
    }

    @Test
    void wiredRotationWaitsForARolloutOfTheBundleHoldingTheNewKey() {
        Step first = KeyRotation.next(null, POLICY, new Registry.Deployment(null), T0);
        Instant due = T0.plus(PERIOD);
        Step pending = KeyRotation.next(first.contents(), POLICY,
                new Registry.Deployment(first.contents().bundleHash()), due);
        assertThat(pending.contents().pending()).isPresent();
        assertThat(pending.nextCheck()).isEmpty();

        Step rolling = KeyRotation.next(pending.contents(), POLICY, new Registry.Deployment(null), due.plusSeconds(60));
        assertThat(rolling.changed()).isFalse();
        Step oldBundle = KeyRotation.next(pending.contents(), POLICY,
                new Registry.Deployment(first.contents().bundleHash()), due.plus(Duration.ofDays(3)));
        assertThat(oldBundle.changed()).isFalse();

        Step rotated = KeyRotation.next(pending.contents(), POLICY,
                new Registry.Deployment(pending.contents().bundleHash()), due.plusSeconds(120));
        assertThat(rotated.contents().active().orElseThrow().id())
                .isEqualTo(pending.contents().pending().orElseThrow().id());
    }

    @Test
    void algorithmChangeRotatesAndZeroPeriodNeverDoes() {
        Step first = KeyRotation.next(null, POLICY, UNWIRED, T0);
        Policy rsa = new Policy(SigningAlgorithm.RS256, "test", PERIOD, TTL, LEEWAY);
        Step switched = KeyRotation.next(first.contents(), rsa, UNWIRED, T0.plusSeconds(5));
        assertThat(switched.contents().pending().orElseThrow().key().algorithm()).isEqualTo(SigningAlgorithm.RS256);

        Policy never = new Policy(SigningAlgorithm.ES256, "test", Duration.ZERO, TTL, LEEWAY);
        Step forever = KeyRotation.next(null, never, UNWIRED, T0);
        assertThat(forever.contents().active().orElseThrow().key().notAfter()).isAfter(T0.plus(Duration.ofDays(3000)));
        assertThat(KeyRotation.next(forever.contents(), never, UNWIRED, T0.plus(Duration.ofDays(365))).changed())
                .isFalse();
    }

    @Test
    void keepsExistingKeysWhenOnlyTheRefreshKeyIsMissing() {
        Step first = KeyRotation.next(null, POLICY, UNWIRED, T0);
        var withoutRefresh = new SigningKeySecret.Contents(null, first.contents().keys());
        Step repaired = KeyRotation.next(withoutRefresh, POLICY, UNWIRED, T0.plusSeconds(1));
        assertThat(repaired.changed()).isTrue();
        assertThat(repaired.contents().refreshKey()).hasSize(32);
        assertThat(repaired.contents().keys()).isEqualTo(first.contents().keys());
        assertThat(repaired.changes()).isEmpty();
    }

    @Test
    void aPendingKeyWithoutAnActiveOneSignsAtOnce() {
        Step first = KeyRotation.next(null, POLICY, UNWIRED, T0);
        StoredKey only = first.contents().active().orElseThrow();
        var orphan = new SigningKeySecret.Contents(first.contents().refreshKey(),
                java.util.List.of(new StoredKey(only.key(), State.PENDING, T0, null, null)));
        Step step = KeyRotation.next(orphan, POLICY, new Registry.Deployment(null), T0.plusSeconds(1));
        assertThat(step.contents().active().orElseThrow().id()).isEqualTo(only.id());
        assertThat(step.contents().keys()).hasSize(1);
    }

    @Test
    void theRefreshKeyRotatesWithTheSigningKeyAndTheOldOneOpensSessionsUntilTheyAllExpired() {
        Duration refreshTtl = Duration.ofHours(24);
        Policy policy = new Policy(SigningAlgorithm.ES256, "test", PERIOD, TTL, LEEWAY, refreshTtl);
        Step first = KeyRotation.next(null, policy, UNWIRED, T0);
        byte[] before = first.contents().refreshKey();
        Step pending = KeyRotation.next(first.contents(), policy, UNWIRED, T0.plus(PERIOD));
        assertThat(pending.contents().refreshKey()).as("a pending key changes nothing yet").isSameAs(before);

        Instant activation = T0.plus(PERIOD).plus(Duration.ofMinutes(10));
        Step rotated = KeyRotation.next(pending.contents(), policy, UNWIRED, activation);
        assertThat(rotated.contents().refreshKey()).hasSize(32).isNotEqualTo(before);
        assertThat(rotated.contents().previousRefreshKeys()).singleElement().satisfies(previous -> {
            assertThat(previous.key()).isEqualTo(before);
            assertThat(previous.retireAfter()).isEqualTo(activation.plus(refreshTtl));
        });
        assertThat(rotated.contents().refreshKeys()).hasSize(2);
        assertThat(rotated.contents().refreshKeys().get(0)).isEqualTo(rotated.contents().refreshKey());
        // The Secret keeps them both across a write and a read.
        SigningKeySecret.Contents stored = SigningKeySecret.read(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withData(SigningKeySecret.data(rotated.contents())).build()).orElseThrow();
        assertThat(stored.previousRefreshKeys()).singleElement()
                .satisfies(p -> assertThat(p.key()).isEqualTo(before));

        Step kept = KeyRotation.next(rotated.contents(), policy, UNWIRED, activation.plus(refreshTtl).minusSeconds(1));
        assertThat(kept.contents().previousRefreshKeys()).hasSize(1);
        Step removed = KeyRotation.next(rotated.contents(), policy, UNWIRED, activation.plus(refreshTtl));
        assertThat(removed.contents().previousRefreshKeys()).isEmpty();
        assertThat(removed.changes()).extracting(Change::reason).contains("RefreshKeyRemoved");
        assertThat(rotated.nextCheck()).isPresent();
    }
}
