package io.registryauth.api.v1alpha1;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Points in time as Kubernetes objects write them: RFC 3339 with a zone, {@code 2026-07-01T00:00:00Z} or
 * {@code 2026-07-01T02:00:00+02:00}, fractions of a second allowed. The CRD schema checks {@link #PATTERN}
 * (and a CEL rule compares two of them with {@code timestamp()}); {@link #parse} turns the text into an instant.
 */
public final class Timestamps {

    /** RFC 3339 date-time with a zone; no look-ahead: the API server checks it with Go's RE2. */
    public static final String PATTERN =
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

    private Timestamps() {}

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the bad value and the expected form. */
    public static Instant parse(String text) {
        if (text == null || !text.matches(PATTERN)) {
            throw new IllegalArgumentException("invalid time '" + text + "'; expected RFC 3339 such as "
                    + "2026-07-01T00:00:00Z");
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid time '" + text + "': " + e.getParsedString()
                    + " is no date and time of day");
        }
    }
}
