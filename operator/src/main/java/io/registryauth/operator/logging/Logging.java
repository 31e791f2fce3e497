package io.registryauth.operator.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * How the operator logs, set up in code from the environment (the same code in a cluster, in dev mode and
 * in tests): every line on stderr, as JSON lines (the default in a cluster: {@link JsonLineLayout}) or as
 * readable text (the default in dev mode), the audit logger through {@link AuditAppender} so the event loop
 * never waits on the output.
 * <ul>
 *   <li>{@code LOG_FORMAT}: {@code json} or {@code text}.</li>
 *   <li>{@code LOG_LEVEL}: the root level (default INFO).</li>
 *   <li>{@code LOG_LEVELS}: levels per logger, {@code io.javaoperatorsdk=debug,io.fabric8=warn}.</li>
 * </ul>
 * The audit logger stays at INFO whatever {@code LOG_LEVEL} says (only {@code LOG_LEVELS} can change it):
 * quieting the operator must not silence the record of who was given access to what.
 */
public final class Logging {
    public static final String AUDIT_LOGGER = "io.registryauth.audit";
    public static final String ENV_FORMAT = "LOG_FORMAT";
    public static final String ENV_LEVEL = "LOG_LEVEL";
    public static final String ENV_LEVELS = "LOG_LEVELS";
    private static final AtomicBoolean FLUSH_ON_EXIT = new AtomicBoolean();
    /** What one write of audit lines holds at most; a longer line is written alone. */
    private static final int AUDIT_BUFFER_BYTES = 64 * 1024;
    private static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    /** How lines are written. */
    public enum Format { JSON, TEXT }

    private Logging() {
    }

    /**
     * Replaces Logback's configuration with ours, lines on stderr; {@code defaultFormat} applies when
     * {@code LOG_FORMAT} is not set. Throws IllegalArgumentException naming the variable that is invalid.
     */
    public static void configure(Map<String, String> env, Format defaultFormat) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        configure(context, env, defaultFormat, System.err, AuditAppender.DEFAULT_QUEUE_SIZE);
        if (FLUSH_ON_EXIT.compareAndSet(false, true)) {
            // The audit queue is written out (for a bounded time) before the JVM exits.
            Runtime.getRuntime().addShutdownHook(new Thread(context::stop, "log-flush"));
        }
    }

    /** As {@link #configure(Map, Format)}, into {@code context}, writing to {@code out}. */
    public static void configure(LoggerContext context, Map<String, String> env, Format defaultFormat,
                                 OutputStream out, int auditQueueSize) {
        Format format = format(env.get(ENV_FORMAT), defaultFormat);
        Level rootLevel = level(ENV_LEVEL, env.get(ENV_LEVEL), Level.INFO);
        Map<String, Level> levels = levels(env.get(ENV_LEVELS));

        context.reset();
        OutputStreamAppender<ILoggingEvent> output = output(context, "output", layout(context, format), out);
        output.start();
        // The audit writer has an output of its own (onto the same stream, a whole line per write): it is
        // stopped only after the queue has been written out, whatever order the context stops things in.
        // Batched: the writer flushes after each run of queued lines, so a busy realm makes one write per
        // run instead of one per line; a write still only ever holds whole lines.
        OutputStreamAppender<ILoggingEvent> auditOutput = output(context, "audit-output", layout(context, format),
                new BufferedOutputStream(out, AUDIT_BUFFER_BYTES));
        auditOutput.setImmediateFlush(false);
        AuditAppender audit = new AuditAppender(auditOutput, auditQueueSize);
        audit.setName("audit");
        audit.setContext(context);
        audit.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel);
        root.addAppender(output);
        Logger auditLogger = context.getLogger(AUDIT_LOGGER);
        auditLogger.setAdditive(false);
        auditLogger.setLevel(Level.INFO);
        auditLogger.addAppender(audit);
        levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    /** Audit lines dropped by the current configuration because its queue was full. */
    public static long droppedAuditLines() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? droppedAuditLines(context) : 0;
    }

    static long droppedAuditLines(LoggerContext context) {
        long dropped = 0;
        for (Iterator<Appender<ILoggingEvent>> it = context.getLogger(AUDIT_LOGGER).iteratorForAppenders();
             it.hasNext(); ) {
            if (it.next() instanceof AuditAppender audit) {
                dropped += audit.dropped();
            }
        }
        return dropped;
    }

    private static OutputStreamAppender<ILoggingEvent> output(LoggerContext context, String name,
                                                              Layout<ILoggingEvent> layout, OutputStream out) {
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> output = new OutputStreamAppender<>();
        output.setName(name);
        output.setContext(context);
        output.setEncoder(encoder);
        output.setOutputStream(new KeptOpen(out));
        return output;
    }

    private static Layout<ILoggingEvent> layout(LoggerContext context, Format format) {
        if (format == Format.JSON) {
            JsonLineLayout json = new JsonLineLayout(Set.of(AUDIT_LOGGER));
            json.setContext(context);
            json.start();
            return json;
        }
        PatternLayout text = new PatternLayout();
        text.setContext(context);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }

    private static Format format(String value, Format defaultFormat) {
        if (value == null || value.isBlank()) {
            return defaultFormat;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> Format.JSON;
            case "text" -> Format.TEXT;
            default -> throw new IllegalArgumentException(ENV_FORMAT + " must be json or text");
        };
    }

    private static Level level(String variable, String value, Level defaultLevel) {
        if (value == null || value.isBlank()) {
            return defaultLevel;
        }
        Level level = Level.toLevel(value.trim(), null);
        if (level == null) {
            throw new IllegalArgumentException(variable + ": unknown level " + value.trim()
                    + " (TRACE, DEBUG, INFO, WARN, ERROR, OFF)");
        }
        return level;
    }

    private static Map<String, Level> levels(String value) {
        Map<String, Level> levels = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return levels;
        }
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(ENV_LEVELS + " entries are logger=level, not " + entry.trim());
            }
            levels.put(entry.substring(0, eq).trim(), level(ENV_LEVELS, entry.substring(eq + 1), null));
        }
        return levels;
    }

    /** Stopping an appender closes its stream; stderr, and a stream shared by two appenders, must stay open. */
    private static final class KeptOpen extends OutputStream {
        private final OutputStream out;

        KeptOpen(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
