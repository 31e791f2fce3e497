package io.registryauth.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;

/**
  * Durations as Kubernetes users write them (Go style): {@code 15m}, {@code 720h}, {@code 1h30m}, {@code 0}.
  * The CRD schema checks {@link #PATTERN}; {@link #parse} is the one place that turns the text into a value.
  */
public final class Durations {

    /**
      * Whole numbers of hours, minutes and seconds, largest unit first, or a bare {@code 0}. No look-ahead:
      * the API server checks it with Go's RE2.
      */
    public static final String PATTERN =
            "^(0|[0-9]+h([0-9]+m)?([0-9]+s)?|[0-9]+m([0-9]+s)?|[0-9]+s)$";

    private static final java.util.regex.Pattern COMPILED =
            java.util.regex.Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");

    private Durations() {}

    /**
      * Parses {@code text}; throws {@link IllegalArgumentException} naming the bad value and the expected
      * form when it does not match.
      */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty; expected e.g. 15m, 720h or 1h30m");
        }
        String trimmed = text.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = COMPILED.matcher(trimmed);
        if (!m.matches() || (m.group(1) == null && m.group(2) == null && m.group(3) == null)) {
            throw new IllegalArgumentException(
                    "invalid duration '" + trimmed + "'; expected whole h/m/s units such as 15m, 720h or 1h30m");
        }
        try {
            return Duration.ofHours(number(m.group(1)))
                    .plusMinutes(number(m.group(2)))
                    .plusSeconds(number(m.group(3)));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + trimmed + "' is too large", e);
        }
    }

    /** Parses {@code text}, or returns {@code fallback} when it is null or blank. */
    public static Duration parse(String text, Duration fallback) {
        return text == null || text.isBlank() ? fallback : parse(text);
    }

    /** The shortest text {@link #parse} reads back as {@code duration} (sub-second parts are dropped). */
    public static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds <= 0) {
            return "0";
        }
        StringBuilder out = new StringBuilder();
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            out.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0) {
            out.append(seconds % 60).append('s');
        }
        return out.toString();
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }
}
