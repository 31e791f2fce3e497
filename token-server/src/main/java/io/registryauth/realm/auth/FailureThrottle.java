package io.registryauth.realm.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing per (source, username, client address): after a few failures within a
 * window the entry is blocked for a delay that doubles with every further failure, up to a cap. A success
 * forgets the entry; since the source that owns the credential is part of the key, a success with another
 * source's credential (a service-account token sent under bob's name) never clears bob's failures.
 * Memory is bounded in entries and in bytes: an entry is kept under a 16-byte digest of its key, however
 * long the username. The least recently touched entries are forgotten first. The clock is passed in, so
 * decisions are deterministic under test.
 */
public final class FailureThrottle {
    public static final int DEFAULT_FREE_FAILURES = 5;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    public static final Duration DEFAULT_FIRST_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_KEYS = 100_000;

    private static final class Entry {
        int failures;
        Instant lastFailure;
        Instant blockedUntil = Instant.MIN;
        int blocks;
    }

    private final int freeFailures;
    private final Duration window;
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final Map<Digest, Entry> entries;
    /** Entries held, written under the lock: most requests find none and skip the digest and the lock. */
    private volatile int held;

    public FailureThrottle() {
        this(DEFAULT_FREE_FAILURES, DEFAULT_WINDOW, DEFAULT_FIRST_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_KEYS);
    }

    /**
     * @param freeFailures failures within {@code window} before the first block
     * @param window       failures older than this (since the last one) are forgotten
     * @param firstDelay   the first block; each further failure doubles it
     * @param maxDelay     the longest block
     * @param maxKeys      pairs remembered at most
     */
    public FailureThrottle(int freeFailures, Duration window, Duration firstDelay, Duration maxDelay, int maxKeys) {
        if (freeFailures < 1 || maxKeys < 1 || window.isNegative() || firstDelay.isNegative()
                || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("invalid failure throttle settings");
        }
        this.freeFailures = freeFailures;
        this.window = window;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, Entry> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** How long this source's user must still wait at this address, or empty when it may try now. */
    public Optional<Duration> blockedFor(String source, String user, String clientAddress, Instant now) {
        if (held == 0) {
            return Optional.empty();
        }
        Digest key = key(source, user, clientAddress);
        synchronized (entries) {
            Entry entry = entries.get(key);
            if (entry == null || !now.isBefore(entry.blockedUntil)) {
                return Optional.empty();
            }
            return Optional.of(Duration.between(now, entry.blockedUntil));
        }
    }

    public void recordFailure(String source, String user, String clientAddress, Instant now) {
        Digest key = key(source, user, clientAddress);
        synchronized (entries) {
            Entry entry = entries.computeIfAbsent(key, k -> new Entry());
            if (entry.lastFailure != null && Duration.between(entry.lastFailure, now).compareTo(window) > 0) {
                entry.failures = 0;
                entry.blocks = 0;
            }
            entry.failures++;
            entry.lastFailure = now;
            if (entry.failures >= freeFailures) {
                entry.blockedUntil = now.plus(delay(entry.blocks));
                entry.blocks++;
            }
            held = entries.size();
        }
    }

    public void recordSuccess(String source, String user, String clientAddress) {
        if (held == 0) {
            return;
        }
        Digest key = key(source, user, clientAddress);
        synchronized (entries) {
            entries.remove(key);
            held = entries.size();
        }
    }

    /** A 16-byte digest of (source, user, address): fixed size whatever the input. */
    private static Digest key(String source, String user, String clientAddress) {
        return Digest.sha256(16, source, user, clientAddress);
    }

    /** Pairs currently remembered (for tests and metrics). */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private Duration delay(int previousBlocks) {
        // Doubling past 2^30 overflows long before the cap matters; the cap applies from there on.
        if (previousBlocks >= 30) {
            return maxDelay;
        }
        Duration delay = firstDelay.multipliedBy(1L << previousBlocks);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
