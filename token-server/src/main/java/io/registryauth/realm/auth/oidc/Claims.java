package io.registryauth.realm.auth.oidc;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what the realm needs from a token's claims, whether they came from a verified JWT or from an
 * introspection answer (both are JSON objects with the same claim names).
 */
final class Claims {
    private Claims() {
    }

    /** A claim by name, or by dotted path into nested objects (realm_access.roles) when no claim has that name. */
    static Object lookup(Map<String, Object> claims, String path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object current = claims;
        for (String part : path.split("\\.", -1)) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    static Optional<String> string(Map<String, Object> claims, String path) {
        return lookup(claims, path) instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    /** Group names from a string or an array-of-strings claim; anything else gives no groups. */
    static Set<String> strings(Map<String, Object> claims, String path) {
        Object value = lookup(claims, path);
        Set<String> out = new LinkedHashSet<>();
        if (value instanceof String s && !s.isEmpty()) {
            out.add(s);
        } else if (value instanceof Collection<?> values) {
            for (Object v : values) {
                if (v instanceof String s && !s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** {@code aud} may be one string or an array (RFC 7519 4.1.3). */
    static List<String> audiences(Map<String, Object> claims) {
        return List.copyOf(strings(claims, "aud"));
    }

    /** A NumericDate claim (seconds since the epoch); JWT parsers and JSON parsers give different number types. */
    static Optional<Instant> instant(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (value instanceof java.util.Date d) {
            return Optional.of(d.toInstant());
        }
        if (value instanceof Number n) {
            return Optional.of(Instant.ofEpochSecond(n.longValue()));
        }
        return Optional.empty();
    }
}
