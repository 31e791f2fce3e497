package io.registryauth.realm.http;

import io.registryauth.realm.RealmException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fields of a query string or an application/x-www-form-urlencoded body, decoded strictly: a bad percent
 * escape or bytes that are not UTF-8 are a 400, never a replacement character or a 500. Raw {@code : / ,}
 * pass through unchanged (Jib does not encode them) and {@code +} is a space, as in every form encoder.
 * The input is a byte string: one char per byte (ISO-8859-1), which is how Netty hands over the request
 * line and how the body is read, so raw UTF-8 bytes are validated exactly like percent-encoded ones.
 */
record FormFields(Map<String, List<String>> fields) {
    static final FormFields EMPTY = new FormFields(Map.of());

    static FormFields decode(String raw) {
        if (raw == null || raw.isEmpty()) {
            return EMPTY;
        }
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            fields.computeIfAbsent(component(name), k -> new ArrayList<>()).add(component(value));
        }
        return new FormFields(fields);
    }

    /** The first value of a field, or null when absent. */
    String first(String name) {
        List<String> values = fields.get(name);
        return values == null ? null : values.get(0);
    }

    List<String> all(String name) {
        return fields.getOrDefault(name, List.of());
    }

    private static String component(String s) {
        if (isPlainAscii(s)) {
            return s;
        }
        byte[] bytes = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                int hi = i + 2 < s.length() ? hex(s.charAt(i + 1)) : -1;
                int lo = i + 2 < s.length() ? hex(s.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) {
                    throw RealmException.badRequest("malformed percent-encoding in request parameters");
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c > 0xFF) {
                throw RealmException.badRequest("request parameters are not valid UTF-8");
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw RealmException.badRequest("request parameters are not valid UTF-8");
        }
    }

    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '+' || c > 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
