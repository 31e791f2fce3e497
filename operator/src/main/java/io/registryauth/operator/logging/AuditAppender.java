package io.registryauth.operator.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hands audit lines to a thread of their own, so the event loop that answers a token request never waits
 * for the terminal, the pipe or the log collector. When the queue is full the line is dropped, never
 * waited for, and counted: {@link #dropped()} is {@code registry_auth_audit_dropped_total} on
 * {@code /metrics}, and once the writer catches up it logs a WARN line saying how many went missing.
 * Unlike Logback's AsyncAppender it discards nothing below WARN as the queue fills, and it counts. Lines
 * that queued up while one was written are written together and the output flushed once after them, so
 * under load the writer makes one system call per run of lines, not one per line.
 */
public final class AuditAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    /** About a second of audit lines at the realm's peak rate on a small machine. */
    public static final int DEFAULT_QUEUE_SIZE = 8192;
    private static final long DRAIN_ON_STOP_MILLIS = 1_000;
    /** Lines taken from the queue at once, between two flushes of the output. */
    private static final int MAX_RUN = 256;

    private final Appender<ILoggingEvent> target;
    private final BlockingQueue<ILoggingEvent> queue;
    private final LongAdder dropped = new LongAdder();
    private Thread writer;

    /**
     * Writes what it is given to {@code target}, at most {@code queueSize} waiting; {@code target} is this
     * appender's own, started and stopped with it (after the queue has been written out).
     */
    public AuditAppender(Appender<ILoggingEvent> target, int queueSize) {
        this.target = target;
        this.queue = new ArrayBlockingQueue<>(queueSize);
    }

    /** Audit lines dropped because the queue was full, since this appender was created. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void start() {
        writer = new Thread(this::write, "audit-log-writer");
        writer.setDaemon(true);
        target.start();
        super.start();
        writer.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // The writer formats later, on its own thread: fix the message and MDC now.
        event.prepareForDeferredProcessing();
        if (!queue.offer(event)) {
            dropped.increment();
        }
    }

    private void write() {
        long reported = 0;
        List<ILoggingEvent> run = new ArrayList<>(MAX_RUN);
        try {
            while (isStarted() || !queue.isEmpty()) {
                ILoggingEvent event = queue.poll(100, TimeUnit.MILLISECONDS);
                if (event != null) {
                    target.doAppend(event);
                    // What queued up meanwhile goes out in the same write.
                    queue.drainTo(run, MAX_RUN);
                    run.forEach(target::doAppend);
                    run.clear();
                }
                long lost = dropped.sum();
                if (lost > reported && queue.isEmpty()) {
                    target.doAppend(warning(lost - reported));
                    reported = lost;
                }
                flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    /** A target that buffers (no immediate flush) is flushed after each run of lines. */
    private void flush() {
        if (target instanceof OutputStreamAppender<ILoggingEvent> stream && stream.getOutputStream() != null) {
            try {
                stream.getOutputStream().flush();
            } catch (IOException e) {
                addError("cannot flush the audit output", e);
            }
        }
    }

    private ILoggingEvent warning(long lost) {
        Logger logger = ((ch.qos.logback.classic.LoggerContext) getContext()).getLogger(getClass());
        return new LoggingEvent(Logger.FQCN, logger, Level.WARN, "{} audit lines were dropped: the log output "
                + "did not keep up (registry_auth_audit_dropped_total counts them all)", null, new Object[]{lost});
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        try {
            // Let the writer empty the queue, for a bounded time: stopping must not hang on a stuck output.
            writer.join(DRAIN_ON_STOP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
        target.stop();
    }
}
