package io.registryauth.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed access to {@link MiniJson} documents. */
final class Json {
    private Json() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text, String what) {
        try {
            if (MiniJson.parse(text) instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
        } catch (IllegalArgumentException e) {
            // reported below, without the text: it may hold tokens
        }
        throw new CliException(what + " is not a JSON object");
    }

    static String write(Map<String, ?> object) {
        return MiniJson.write(object);
    }

    static String string(Map<String, Object> object, String key) {
        return object.get(key) instanceof String s && !s.isEmpty() ? s : null;
    }

    static long number(Map<String, Object> object, String key, long otherwise) {
        Object value = object.get(key);
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }
        return otherwise;
    }

    static List<String> strings(Map<String, Object> object, String key) {
        List<String> out = new ArrayList<>();
        if (object.get(key) instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String s) {
                    out.add(s);
                }
            }
        } else if (object.get(key) instanceof String s) {
            for (String part : s.split(" ")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

    /** A claim by dotted path ({@code realm_access.roles}) as a list of strings: a string claim is one item. */
    @SuppressWarnings("unchecked")
    static List<String> claimStrings(Map<String, Object> claims, String path) {
        if (path == null || path.isEmpty()) {
            return List.of();
        }
        Object node = claims;
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return List.of();
            }
            node = ((Map<String, Object>) map).get(part);
        }
        if (node instanceof String s) {
            return List.of(s);
        }
        List<String> out = new ArrayList<>();
        if (node instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
