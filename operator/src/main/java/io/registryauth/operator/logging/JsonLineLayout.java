package io.registryauth.operator.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object per line: {@code time} (when it was logged, ISO-8601 UTC), {@code level}, {@code logger},
 * {@code thread}, {@code message} and, with an exception, {@code exception} (the stack trace as one string).
 * A structured logger (the audit logger) writes a JSON object as its message: its fields become fields of
 * the line, its {@code event} becomes the message, and a field the line already has is left out (the audit
 * object's own {@code time} is the decision's, within microseconds of the line's). Control characters are
 * escaped, so a message can never start a line of its own.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final Set<String> OWN_FIELDS = Set.of("time", "level", "logger", "thread", "message", "exception");

    private final Set<String> structuredLoggers;

    /** Lines whose logger is in {@code structuredLoggers} carry their JSON message's fields as fields. */
    public JsonLineLayout(Set<String> structuredLoggers) {
        this.structuredLoggers = Set.copyOf(structuredLoggers);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        JsonNode fields = structuredLoggers.contains(event.getLoggerName()) ? object(message) : null;
        StringWriter out = new StringWriter(256 + (message == null ? 0 : message.length()));
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", event.getInstant().toString());
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            if (fields == null) {
                json.writeStringField("message", message);
            } else {
                JsonNode name = fields.get("event");
                json.writeStringField("message", name != null && name.isTextual() ? name.asText() : "");
                for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (!OWN_FIELDS.contains(field.getKey())) {
                        json.writeFieldName(field.getKey());
                        MAPPER.writeTree(json, field.getValue());
                    }
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                json.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }

    /** The message as a JSON object, or null when it is not one (then it is written as plain text). */
    private static JsonNode object(String message) {
        if (message == null || !message.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(message);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String getContentType() {
        return "application/x-ndjson";
    }
}
