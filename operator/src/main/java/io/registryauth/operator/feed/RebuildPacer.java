package io.registryauth.operator.feed;

import java.util.concurrent.TimeUnit;

/**
 * How long a realm rebuild waits, so that rebuilds take at most a third of a core over time without making a
 * lone change wait. Rebuild time is paid from a budget that fills at a third of the wall clock, up to
 * {@link #BURST_NANOS}: a change after a quiet spell (an edit, a second edit a moment later) is rebuilt at
 * once; a stream of changes (a checkout, a start writing pull Secrets) drains the budget, and then each rebuild
 * waits until the budget has paid for the last one, never longer than {@link #MAX_WAIT_NANOS}. The feed asks
 * from informer threads and pays from its rebuild thread; both methods hold the pacer's lock.
 */
final class RebuildPacer {
    /** At most this much rebuild time may be spent back to back before rebuilds are paced. */
    static final long BURST_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** No rebuild waits longer than this, however long the last ones took. */
    static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The budget fills at one nanosecond of rebuild time per this many of wall time. */
    private static final int SHARE = 3;

    private long budget = BURST_NANOS;
    private long updatedAt;

    RebuildPacer(long now) {
        updatedAt = now;
    }

    /** How long a rebuild asked for at {@code now} should wait (0: at once). */
    synchronized long waitAt(long now) {
        refill(now);
        return budget >= 0 ? 0 : Math.min(-budget * SHARE, MAX_WAIT_NANOS);
    }

    /** A rebuild that ran from {@code started} to {@code finished} is paid for. */
    synchronized void ran(long started, long finished) {
        refill(finished);
        budget -= finished - started;
        // However long one rebuild took, the next waits at most MAX_WAIT: the debt is capped to match.
        budget = Math.max(budget, -MAX_WAIT_NANOS / SHARE);
    }

    private void refill(long now) {
        if (now > updatedAt) {
            budget = Math.min(BURST_NANOS, budget + (now - updatedAt) / SHARE);
            updatedAt = now;
        }
    }
}
