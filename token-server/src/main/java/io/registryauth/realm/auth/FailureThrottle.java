package io.registryauth.realm.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing per (username, client address): after a few failures within a window
 * the pair is blocked for a delay that doubles with every further failure, up to a cap. A success
 * forgets the pair. Memory is bounded; the least recently touched pairs are forgotten first.
 * The clock is passed in, so decisions are deterministic under test.
 */
public final class FailureThrottle {
    public static final int DEFAULT_FREE_FAILURES = 5;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    public static final Duration DEFAULT_FIRST_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_KEYS = 100_000;

    private record Key(String user, String address) {}

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
    private final Map<Key, Entry> entries;

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
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** How long this pair must still wait, or empty when it may try now. */
    public Optional<Duration> blockedFor(String user, String clientAddress, Instant now) {
        synchronized (entries) {
            Entry entry = entries.get(new Key(user, clientAddress));
            if (entry == null || !now.isBefore(entry.blockedUntil)) {
                return Optional.empty();
            }
            return Optional.of(Duration.between(now, entry.blockedUntil));
        }
    }

    public void recordFailure(String user, String clientAddress, Instant now) {
        synchronized (entries) {
            Entry entry = entries.computeIfAbsent(new Key(user, clientAddress), k -> new Entry());
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
        }
    }

    public void recordSuccess(String user, String clientAddress) {
        synchronized (entries) {
            entries.remove(new Key(user, clientAddress));
        }
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
