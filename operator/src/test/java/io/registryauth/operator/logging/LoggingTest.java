package io.registryauth.operator.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The production logging setup, each test in a LoggerContext of its own writing to a buffer. */
class LoggingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIT_LINE = "{\"time\":\"2020-01-01T00:00:00Z\",\"event\":\"token\","
            + "\"service\":\"registry.test:5000\",\"subject\":\"alice\",\"requested\":[\"repository:team-a/app:pull\"],"
            + "\"granted\":[],\"outcome\":\"issued\",\"status\":200}";

    @Test
    void jsonLinesByDefaultWithTheAuditFieldsAsFields() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = context();
        Logging.configure(context, Map.of(), Logging.Format.JSON, out, 16);
        Instant before = Instant.now();

        context.getLogger("io.registryauth.operator.Example").info("realm {} ready\n{\"forged\":true}", "a\"b");
        context.getLogger("io.registryauth.operator.Example").warn("it failed", new IllegalStateException("boom"));
        context.getLogger(Logging.AUDIT_LOGGER).info(AUDIT_LINE);
        context.getLogger("io.registryauth.operator.Example").debug("below the default level");
        context.stop();

        List<JsonNode> lines = lines(out);
        assertThat(lines).hasSize(3);
        JsonNode info = lines.get(0);
        assertThat(info.get("level").asText()).isEqualTo("INFO");
        assertThat(info.get("logger").asText()).isEqualTo("io.registryauth.operator.Example");
        // A newline in a message stays inside its line: nobody can forge a line of their own.
        assertThat(info.get("message").asText()).isEqualTo("realm a\"b ready\n{\"forged\":true}");
        assertThat(info.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(Instant.parse(info.get("time").asText())).isBetween(before.minusSeconds(1), Instant.now());

        JsonNode warn = lines.get(1);
        assertThat(warn.get("level").asText()).isEqualTo("WARN");
        assertThat(warn.get("exception").asText()).contains("IllegalStateException: boom").contains("at ");

        JsonNode audit = lines.get(2);
        assertThat(audit.get("logger").asText()).isEqualTo(Logging.AUDIT_LOGGER);
        assertThat(audit.get("message").asText()).isEqualTo("token");
        assertThat(audit.get("subject").asText()).isEqualTo("alice");
        assertThat(audit.get("status").asInt()).isEqualTo(200);
        assertThat(audit.get("requested").get(0).asText()).isEqualTo("repository:team-a/app:pull");
        assertThat(audit.get("granted").isArray()).isTrue();
        // The line's own time, not a second one from the audit object.
        assertThat(Instant.parse(audit.get("time").asText())).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
    }

    @Test
    void textFormatAndLevelsFromTheEnvironment() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = context();
        Logging.configure(context, Map.of(Logging.ENV_FORMAT, "text", Logging.ENV_LEVEL, "warn",
                Logging.ENV_LEVELS, "io.registryauth.feed=debug, io.fabric8=error"), Logging.Format.JSON, out, 16);

        context.getLogger("io.registryauth.operator.Example").info("quiet: below WARN");
        context.getLogger("io.registryauth.operator.Example").warn("loud");
        context.getLogger("io.registryauth.feed.Feed").debug("feed detail");
        context.getLogger("io.fabric8.Client").warn("client noise");
        context.getLogger(Logging.AUDIT_LOGGER).info(AUDIT_LINE);
        context.stop();

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[.+] io\\.registryauth\\.operator\\.Example - loud");
        assertThat(lines.get(1)).endsWith("DEBUG [" + Thread.currentThread().getName() + "] io.registryauth.feed.Feed - feed detail");
        // The audit record is kept whatever LOG_LEVEL says.
        assertThat(lines.get(2)).contains("INFO  [").endsWith(Logging.AUDIT_LOGGER + " - " + AUDIT_LINE);
    }

    @Test
    void invalidSettingsNameTheirVariable() {
        LoggerContext context = context();
        OutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Logging.configure(context, Map.of(Logging.ENV_FORMAT, "xml"), Logging.Format.JSON, out, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LOG_FORMAT");
        assertThatThrownBy(() -> Logging.configure(context, Map.of(Logging.ENV_LEVEL, "loud"), Logging.Format.JSON, out, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LOG_LEVEL");
        assertThatThrownBy(() -> Logging.configure(context, Map.of(Logging.ENV_LEVELS, "io.x"), Logging.Format.JSON, out, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LOG_LEVELS");
    }

    @Test
    void aFullAuditQueueDropsWithoutWaitingAndCountsWhatItDropped() throws Exception {
        BlockingOutput out = new BlockingOutput();
        LoggerContext context = context();
        Logging.configure(context, Map.of(), Logging.Format.JSON, out, 2);
        Logger audit = context.getLogger(Logging.AUDIT_LOGGER);

        audit.info(AUDIT_LINE.replace("alice", "user-0"));
        // The writer holds line 0 inside the stuck output; the queue (2) is empty again.
        assertThat(out.entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 4; i++) {
            audit.info(AUDIT_LINE.replace("alice", "user-" + i));
        }
        // Every call above returned while the output was stuck: two lines queued, two dropped and counted.
        assertThat(Logging.droppedAuditLines(context)).isEqualTo(2);

        out.release.countDown();
        context.stop();
        List<JsonNode> lines = lines(out.written);
        assertThat(lines.stream().filter(l -> l.has("subject")).map(l -> l.get("subject").asText()))
                .containsExactly("user-0", "user-1", "user-2");
        // Once the writer caught up, the log itself says lines went missing.
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("level").asText()).isEqualTo("WARN");
            assertThat(l.get("message").asText()).startsWith("2 audit lines were dropped");
        });
    }

    @Test
    void queuedAuditLinesGoOutInFewWritesOfWholeLines() throws Exception {
        BlockingOutput out = new BlockingOutput();
        LoggerContext context = context();
        Logging.configure(context, Map.of(), Logging.Format.JSON, out, 2_000);
        Logger audit = context.getLogger(Logging.AUDIT_LOGGER);

        audit.info(AUDIT_LINE.replace("alice", "user-0"));
        assertThat(out.entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 1_000; i++) {
            audit.info(AUDIT_LINE.replace("alice", "user-" + i));
        }
        out.release.countDown();
        context.stop();

        assertThat(Logging.droppedAuditLines(context)).isZero();
        List<JsonNode> lines = lines(out.written);
        assertThat(lines).hasSize(1_001);
        assertThat(lines.get(1_000).get("subject").asText()).isEqualTo("user-1000");
        // Each write ended at the end of a line, and the 1,000 lines that waited took a handful of writes.
        assertThat(out.writes).allSatisfy(w -> assertThat(w).endsWith("\n"));
        assertThat(out.writes.size()).isBetween(2, 50);
    }

    private static LoggerContext context() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    private static List<JsonNode> lines(ByteArrayOutputStream out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            lines.add(node);
        }
        return lines;
    }

    /** An output that blocks its first write until released, as a stuck pipe or terminal does. */
    private static final class BlockingOutput extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<String> writes = new ArrayList<>();

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            written.write(b, off, len);
            writes.add(new String(b, off, len, StandardCharsets.UTF_8));
        }
    }
}
