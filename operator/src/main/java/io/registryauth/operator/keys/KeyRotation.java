package io.registryauth.operator.keys;

import io.registryauth.operator.keys.SigningKeySecret.Contents;
import io.registryauth.operator.keys.SigningKeySecret.PreviousRefreshKey;
import io.registryauth.operator.keys.SigningKeySecret.State;
import io.registryauth.operator.keys.SigningKeySecret.StoredKey;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The signing-key life cycle, as a pure step function over the Secret's contents. A new key is added as
 * {@code pending} (it enters the bundle), turns {@code active} only once the registry runs a bundle holding
 * it, and the old key stays {@code retiring} in the bundle until every token it signed has expired.
 */
public final class KeyRotation {
    /** A key whose certificate expires within this is replaced whatever the rotation period says. */
    static final Duration EXPIRY_MARGIN = Duration.ofDays(7);
    /** Certificates of keys that never rotate. */
    static final Duration NO_ROTATION_VALIDITY = Duration.ofDays(3650);

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyRotation() {
    }

    /**
     * What decides the rotation.
     *
     * @param commonName     certificate subject of new keys
     * @param rotationPeriod age at which the active key is replaced; zero = never
     * @param tokenTtl       access-token lifetime: how long a retired key's tokens stay valid
     * @param retireLeeway   added to tokenTtl (registries accept tokens a little after exp)
     * @param refreshTtl     refresh-token lifetime: how long a rotated-out refresh key must still open sessions
     */
    public record Policy(SigningAlgorithm algorithm, String commonName, Duration rotationPeriod, Duration tokenTtl,
                         Duration retireLeeway, Duration refreshTtl) {
        public Policy {
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(commonName, "commonName");
            if (rotationPeriod.isNegative() || tokenTtl.isNegative() || retireLeeway.isNegative()
                    || refreshTtl.isNegative()) {
                throw new IllegalArgumentException("durations must not be negative");
            }
        }

        /** A policy with the default refresh-token lifetime (720h). */
        public Policy(SigningAlgorithm algorithm, String commonName, Duration rotationPeriod, Duration tokenTtl,
                      Duration retireLeeway) {
            this(algorithm, commonName, rotationPeriod, tokenTtl, retireLeeway, Duration.ofHours(720));
        }

        Duration certificateValidity() {
            return rotationPeriod.isZero() ? NO_ROTATION_VALIDITY : rotationPeriod.multipliedBy(2).plusDays(30);
        }
    }

    /** How the operator learns that the registry runs the current bundle. */
    public sealed interface Registry {
        /** No Deployment to watch: a pending key signs after the lead time. */
        record Unwired(Duration leadTime) implements Registry {
        }

        /**
         * A wired Deployment; {@code rolledOutBundleHash} is the bundle hash its finished rollout runs with,
         * null while a rollout is in progress.
         */
        record Deployment(String rolledOutBundleHash) implements Registry {
        }
    }

    /** Something worth a Kubernetes Event. */
    public record Change(String reason, String message) {
    }

    /** The result of one step: the contents to store, what happened and when to look again. */
    public record Step(Contents contents, boolean changed, List<Change> changes, Optional<Instant> nextCheck) {
    }

    /**
     * One step from {@code current} (null when there is no Secret yet) at {@code now}. Missing parts are
     * generated; existing keys are never replaced. The refresh key rotates with the signing key: when a new
     * signing key turns active, a new refresh key seals new sessions and the old one is kept, for opening the
     * sessions it sealed, until the refresh-token lifetime has passed.
     */
    public static Step next(Contents current, Policy policy, Registry registry, Instant now) {
        List<Change> changes = new ArrayList<>();
        boolean changed = false;
        byte[] refreshKey = current == null ? null : current.refreshKey();
        if (refreshKey == null) {
            refreshKey = new byte[SigningKeySecret.REFRESH_KEY_BYTES];
            RANDOM.nextBytes(refreshKey);
            changed = true;
        }
        List<PreviousRefreshKey> previousRefreshKeys = new ArrayList<>();
        for (PreviousRefreshKey previous : current == null ? List.<PreviousRefreshKey>of() : current.previousRefreshKeys()) {
            if (now.isBefore(previous.retireAfter())) {
                previousRefreshKeys.add(previous);
            } else {
                changes.add(new Change("RefreshKeyRemoved", "A rotated-out refresh key was removed: every session it"
                        + " sealed has expired"));
                changed = true;
            }
        }
        List<StoredKey> keys = new ArrayList<>();
        for (StoredKey key : current == null ? List.<StoredKey>of() : current.keys()) {
            if (key.state() == State.RETIRING && key.retireAfter() != null && !now.isBefore(key.retireAfter())) {
                changes.add(new Change("KeyRemoved", "Key " + key.id()
                        + " left the bundle: every token it signed has expired"));
                changed = true;
            } else {
                keys.add(key);
            }
        }
        if (find(keys, State.ACTIVE).isEmpty()) {
            Optional<StoredKey> pending = find(keys, State.PENDING);
            if (pending.isPresent()) {
                // Nothing signs without an active key, so waiting for the registry would gain nothing.
                keys.set(keys.indexOf(pending.get()), pending.get().activated(now));
                changes.add(new Change("KeyActivated", "Key " + pending.get().id() + " signs tokens"));
            } else {
                StoredKey fresh = new StoredKey(generate(policy, now), State.ACTIVE, now, now, null);
                keys.add(fresh);
                changes.add(new Change("KeyGenerated", "Generated " + policy.algorithm() + " key " + fresh.id()));
            }
            changed = true;
        }
        StoredKey active = find(keys, State.ACTIVE).orElseThrow();
        if (find(keys, State.PENDING).isEmpty() && rotationDue(active, policy, now)) {
            StoredKey fresh = new StoredKey(generate(policy, now), State.PENDING, now, null, null);
            keys.add(fresh);
            changes.add(new Change("KeyPending", "Generated " + policy.algorithm() + " key " + fresh.id()
                    + "; it signs once the registry trusts it"));
            changed = true;
        }
        Optional<StoredKey> pending = find(keys, State.PENDING);
        if (pending.isPresent() && registryTrusts(pending.get(), new Contents(refreshKey, keys), registry, now)) {
            Instant retireAfter = now.plus(policy.tokenTtl()).plus(policy.retireLeeway());
            keys.set(keys.indexOf(active), active.retiring(retireAfter));
            keys.set(keys.indexOf(pending.get()), pending.get().activated(now));
            changes.add(new Change("KeyRotated", "Key " + pending.get().id() + " signs tokens; key "
                    + active.id() + " stays in the bundle until " + retireAfter));
            if (!policy.refreshTtl().isZero()) {
                previousRefreshKeys.add(new PreviousRefreshKey(refreshKey, now.plus(policy.refreshTtl())));
            }
            refreshKey = new byte[SigningKeySecret.REFRESH_KEY_BYTES];
            RANDOM.nextBytes(refreshKey);
            changed = true;
        }
        Contents next = new Contents(refreshKey, keys, previousRefreshKeys);
        return new Step(next, changed, List.copyOf(changes), nextCheck(next, policy, registry, now));
    }

    /** When the active key is due for replacement (rotation period, changed algorithm, expiring certificate). */
    static boolean rotationDue(StoredKey active, Policy policy, Instant now) {
        if (active.key().algorithm() != policy.algorithm()) {
            return true;
        }
        if (!now.isBefore(active.key().notAfter().minus(EXPIRY_MARGIN))) {
            return true;
        }
        return !policy.rotationPeriod().isZero() && !now.isBefore(dueAt(active, policy));
    }

    private static Instant dueAt(StoredKey active, Policy policy) {
        Instant since = active.activatedAt() != null ? active.activatedAt() : active.createdAt();
        return since.plus(policy.rotationPeriod());
    }

    private static boolean registryTrusts(StoredKey pending, Contents contents, Registry registry, Instant now) {
        if (registry instanceof Registry.Unwired unwired) {
            return !now.isBefore(pending.createdAt().plus(unwired.leadTime()));
        }
        String rolledOut = ((Registry.Deployment) registry).rolledOutBundleHash();
        return rolledOut != null && rolledOut.equals(contents.bundleHash());
    }

    /** The earliest future instant at which a step would do something without any other event. */
    private static Optional<Instant> nextCheck(Contents contents, Policy policy, Registry registry, Instant now) {
        List<Instant> candidates = new ArrayList<>();
        contents.previousRefreshKeys().forEach(previous -> candidates.add(previous.retireAfter()));
        for (StoredKey key : contents.keys()) {
            if (key.state() == State.RETIRING && key.retireAfter() != null) {
                candidates.add(key.retireAfter());
            }
            if (key.state() == State.PENDING && registry instanceof Registry.Unwired unwired) {
                candidates.add(key.createdAt().plus(unwired.leadTime()));
            }
            if (key.state() == State.ACTIVE && contents.pending().isEmpty()) {
                candidates.add(key.key().notAfter().minus(EXPIRY_MARGIN));
                if (!policy.rotationPeriod().isZero()) {
                    candidates.add(dueAt(key, policy));
                }
            }
        }
        return candidates.stream().filter(now::isBefore).min(Instant::compareTo);
    }

    private static Optional<StoredKey> find(List<StoredKey> keys, State state) {
        return keys.stream().filter(k -> k.state() == state).findFirst();
    }

    private static SigningKey generate(Policy policy, Instant now) {
        return SigningKey.generate(policy.algorithm(), policy.commonName(), now, policy.certificateValidity());
    }
}
