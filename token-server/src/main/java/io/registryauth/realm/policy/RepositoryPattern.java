package io.registryauth.realm.policy;

import io.registryauth.realm.scope.RepositoryNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A compiled repository pattern: literals, {@code *} (any run of characters within one path segment),
 * {@code **} (any run of characters, '/' included, possibly empty), {@code ${user}} (the caller's
 * name) and {@code ${claims.<name>}} (a workload's claim, one or more path segments). Matching simulates the pattern as a set of reachable positions, so it is linear in
 * pattern length times name length whatever the number of stars (no backtracking blow-up).
 */
final class RepositoryPattern {
    static final String USER_VARIABLE = "${user}";
    static final String CLAIMS_VARIABLE_PREFIX = "${claims.";
    /** Claim names a pattern may use: what a JSON claim name a CI platform sets looks like. */
    private static final java.util.regex.Pattern CLAIM_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private enum Kind { LITERAL, STAR, DOUBLE_STAR, USER, CLAIM }

    private final Kind[] kinds;
    private final String[] literals;
    private final String source;
    private final int starCount;

    private RepositoryPattern(String source, Kind[] kinds, String[] literals) {
        this.source = source;
        this.kinds = kinds;
        this.literals = literals;
        int stars = 0;
        for (Kind k : kinds) {
            if (k == Kind.STAR || k == Kind.DOUBLE_STAR) {
                stars++;
            }
        }
        this.starCount = stars;
    }

    /** Compiles a pattern that {@link #problem} accepted. */
    static RepositoryPattern compile(String pattern) {
        List<Kind> kinds = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            Kind special = null;
            int width = 1;
            if (c == '*') {
                boolean twice = i + 1 < pattern.length() && pattern.charAt(i + 1) == '*';
                special = twice ? Kind.DOUBLE_STAR : Kind.STAR;
                width = twice ? 2 : 1;
            } else if (pattern.startsWith(USER_VARIABLE, i)) {
                special = Kind.USER;
                width = USER_VARIABLE.length();
            } else if (pattern.startsWith(CLAIMS_VARIABLE_PREFIX, i)) {
                special = Kind.CLAIM;
                width = pattern.indexOf('}', i) + 1 - i;
            }
            if (special == null) {
                literal.append(c);
            } else {
                if (literal.length() > 0) {
                    kinds.add(Kind.LITERAL);
                    literals.add(literal.toString());
                    literal.setLength(0);
                }
                kinds.add(special);
                literals.add(special == Kind.CLAIM
                        ? pattern.substring(i + CLAIMS_VARIABLE_PREFIX.length(), i + width - 1) : null);
            }
            i += width;
        }
        if (literal.length() > 0) {
            kinds.add(Kind.LITERAL);
            literals.add(literal.toString());
        }
        return new RepositoryPattern(pattern, kinds.toArray(new Kind[0]), literals.toArray(new String[0]));
    }

    /** Whether the pattern holds a ${claims.<name>} variable, filled per request from a workload's claims. */
    boolean usesClaims() {
        for (Kind k : kinds) {
            if (k == Kind.CLAIM) {
                return true;
            }
        }
        return false;
    }

    /** The value a variable or literal token stands for in this request; null when it has none. */
    private String fixed(int t, String user, java.util.Map<String, String> claims) {
        return switch (kinds[t]) {
            case USER -> user;
            case CLAIM -> claims == null ? null : claims.get(literals[t]);
            default -> literals[t];
        };
    }

    boolean usesUser() {
        for (Kind k : kinds) {
            if (k == Kind.USER) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the pattern matches {@code name} from index {@code from} to its end. {@code user} fills
     * {@code ${user}}; when null, a pattern using it never matches.
     */
    boolean matches(String name, int from, String user) {
        return matches(name, from, user, null);
    }

    /**
     * As {@link #matches(String, int, String)}, with {@code claims} filling {@code ${claims.<name>}}: each value
     * already a valid repository path (see {@link WorkloadMatch#templateValue}); a claim absent there never matches.
     */
    boolean matches(String name, int from, String user, java.util.Map<String, String> claims) {
        if (starCount <= 1) {
            return matchesWithOneStar(name, from, user, claims);
        }
        int len = name.length() - from;
        long[] reachable = new long[(len >> 6) + 1];
        reachable[0] = 1L;
        for (int t = 0; t < kinds.length; t++) {
            long[] next = new long[reachable.length];
            boolean any = false;
            switch (kinds[t]) {
                case LITERAL, USER, CLAIM -> {
                    String lit = fixed(t, user, claims);
                    if (lit == null) {
                        return false;
                    }
                    for (int p = nextSet(reachable, 0, len); p >= 0; p = nextSet(reachable, p + 1, len)) {
                        int q = p + lit.length();
                        if (q <= len && name.startsWith(lit, from + p)) {
                            set(next, q);
                            any = true;
                        }
                    }
                }
                case STAR -> {
                    // Positions up to 'covered' are already reached from an earlier start in the same segment.
                    int covered = -1;
                    for (int p = nextSet(reachable, 0, len); p >= 0; p = nextSet(reachable, p + 1, len)) {
                        if (p <= covered) {
                            continue;
                        }
                        int q = p;
                        set(next, q);
                        while (q < len && name.charAt(from + q) != '/') {
                            q++;
                            set(next, q);
                        }
                        covered = q;
                        any = true;
                    }
                }
                case DOUBLE_STAR -> {
                    int p = nextSet(reachable, 0, len);
                    if (p >= 0) {
                        for (int q = p; q <= len; q++) {
                            set(next, q);
                        }
                        any = true;
                    }
                }
            }
            if (!any) {
                return false;
            }
            reachable = next;
        }
        return (reachable[len >> 6] & (1L << (len & 63))) != 0;
    }

    /**
     * The common shapes ({@code team/app}, {@code team/*}, {@code team/**}, {@code ${user}/**}) without
     * allocating: fixed parts must match at both ends and the one star, if any, spans what is between.
     */
    private boolean matchesWithOneStar(String name, int from, String user, java.util.Map<String, String> claims) {
        int start = from;
        int t = 0;
        for (; t < kinds.length && (kinds[t] == Kind.LITERAL || kinds[t] == Kind.USER || kinds[t] == Kind.CLAIM); t++) {
            String fixed = fixed(t, user, claims);
            if (fixed == null || !name.startsWith(fixed, start)) {
                return false;
            }
            start += fixed.length();
        }
        if (t == kinds.length) {
            return start == name.length();
        }
        int end = name.length();
        for (int u = kinds.length - 1; u > t; u--) {
            String fixed = fixed(u, user, claims);
            if (fixed == null || end - fixed.length() < start || !name.startsWith(fixed, end - fixed.length())) {
                return false;
            }
            end -= fixed.length();
        }
        if (kinds[t] == Kind.DOUBLE_STAR) {
            return true;
        }
        int slash = name.indexOf('/', start);
        return slash < 0 || slash >= end;
    }

    private static void set(long[] bits, int i) {
        bits[i >> 6] |= 1L << (i & 63);
    }

    private static int nextSet(long[] bits, int from, int max) {
        for (int i = from; i <= max; i++) {
            if ((bits[i >> 6] & (1L << (i & 63))) != 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return source;
    }

    /** Why {@code pattern} cannot be used, in words a person can act on; empty when it is fine. */
    static Optional<String> problem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return Optional.of("repository pattern is empty");
        }
        if (pattern.length() > RepositoryNames.MAX_LENGTH) {
            return Optional.of("repository pattern \"" + shorten(pattern) + "\" is longer than "
                    + RepositoryNames.MAX_LENGTH + " characters");
        }
        String quoted = "repository pattern \"" + shorten(pattern) + "\"";
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '$') {
                if (i + 1 >= pattern.length() || pattern.charAt(i + 1) != '{') {
                    return Optional.of(quoted + ": '$' may only start a variable, ${user} or ${claims.<name>}");
                }
                int close = pattern.indexOf('}', i);
                if (close < 0) {
                    return Optional.of(quoted + ": unterminated '${'; the variables are ${user} and ${claims.<name>}");
                }
                String variable = pattern.substring(i + 2, close);
                boolean claim = variable.startsWith("claims.")
                        && CLAIM_NAME.matcher(variable.substring("claims.".length())).matches();
                if (!variable.equals("user") && !claim) {
                    return Optional.of(quoted + ": unknown variable ${" + shorten(variable)
                            + "}; the variables are ${user} and ${claims.<name>} (a claim name of letters, digits"
                            + " and '_')");
                }
                i = close + 1;
                continue;
            }
            if (c >= 'A' && c <= 'Z') {
                return Optional.of(quoted + ": uppercase letter '" + c + "'; repository names are lowercase");
            }
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-' || c == '/' || c == ':' || c == '*';
            if (!allowed) {
                return Optional.of(quoted + ": character " + describe(c) + " is not allowed; use lowercase "
                        + "letters, digits, '.', '_', '-', '/', ':' (before a port), '*', '**' and ${user}");
            }
            i++;
        }
        if (pattern.contains("***")) {
            return Optional.of(quoted + ": '***' is ambiguous; use '*' within one path segment or '**' "
                    + "across segments");
        }
        if (pattern.startsWith("/") || pattern.endsWith("/") || pattern.contains("//")) {
            return Optional.of(quoted + ": empty path segment ('/' at the start, at the end or twice in a row)");
        }
        return Optional.empty();
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static String shorten(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '"' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return s.length() > 100 ? out + "..." : out.toString();
    }
}
