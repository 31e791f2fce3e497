package io.registryauth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesGoStyleUnits() {
        assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("720h")).isEqualTo(Duration.ofHours(720));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2h0m5s")).isEqualTo(Duration.ofSeconds(7205));
        assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "m", "1.5h", "15 m", "30m1h", "-5m", "1d", "5ms", "h5"})
    void rejectsEverythingElseWithAClearMessage(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15m");
    }

    @Test
    void rejectsNullAndOverflow() {
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("99999999999999999h"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fallbackAppliesOnlyToMissingValues() {
        assertThat(Durations.parse(null, Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse(" ", Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1m", Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> Durations.parse("x", Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatRoundTrips() {
        for (Duration d :
                new Duration[] {
                    Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofHours(720),
                    Duration.ofSeconds(3661), Duration.ofSeconds(7200 + 5)
                }) {
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofSeconds(3661))).isEqualTo("1h1m1s");
    }

    /** The schema pattern (checked by the API server) and the parser must agree on what is valid. */
    @ParameterizedTest
    @ValueSource(
            strings = {"0", "15m", "720h", "1h30m", "1h5s", "2h0m5s", "45s", "", "15", "1.5h", "30m1h", "1d",
                "5ms", "0h", "m", "1h 5m"})
    void schemaPatternAgreesWithParser(String text) {
        boolean schemaAccepts = Pattern.compile(Durations.PATTERN).matcher(text).matches();
        boolean parserAccepts;
        try {
            Durations.parse(text);
            parserAccepts = true;
        } catch (IllegalArgumentException e) {
            parserAccepts = false;
        }
        assertThat(parserAccepts).as("parser vs schema for '%s'", text).isEqualTo(schemaAccepts);
    }
}
