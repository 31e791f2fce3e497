package io.registryauth.realm.http;

import java.util.List;
import java.util.Map;

/**
 * JSON written straight into a StringBuilder, for the two texts every token request produces (the answer
 * and the audit line): JSON equal to what the Vert.x JsonObject encoder gives for these shapes, without building
 * a map and running Jackson's databind over it per request. Strings are escaped as JSON requires (quote,
 * backslash, control characters) plus U+2028/U+2029; other characters are written as they are.
 */
final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;
    private boolean first = true;

    private JsonText(int capacity) {
        out = new StringBuilder(capacity).append('{');
    }

    /** An object to add fields to, in order; {@link #close} ends it. */
    static JsonText object(int capacity) {
        return new JsonText(capacity);
    }

    /** A string field; null is written as JSON null. */
    JsonText field(String name, String value) {
        name(name);
        string(out, value);
        return this;
    }

    JsonText field(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    /** An array of strings. */
    JsonText field(String name, List<String> values) {
        name(name);
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, values.get(i));
        }
        out.append(']');
        return this;
    }

    /** An object of string fields, in the map's order. */
    JsonText field(String name, Map<String, String> values) {
        name(name);
        out.append('{');
        boolean firstEntry = true;
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (!firstEntry) {
                out.append(',');
            }
            firstEntry = false;
            string(out, entry.getKey());
            out.append(':');
            string(out, entry.getValue());
        }
        out.append('}');
        return this;
    }

    String close() {
        return out.append('}').toString();
    }

    private void name(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        string(out, name);
        out.append(':');
    }

    static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int plain = 0;
        while (plain < value.length() && !escaped(value.charAt(plain))) {
            plain++;
        }
        // Tokens and most names need no escape: copy them whole.
        out.append(value, 0, plain);
        for (int i = plain; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean escaped(char c) {
        return c < 0x20 || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029';
    }
}
