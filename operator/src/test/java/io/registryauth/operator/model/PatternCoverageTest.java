package io.registryauth.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatternCoverageTest {

    @ParameterizedTest(name = "{0} covers {1}")
    @CsvSource({
        "team-a/**, team-a/**",
        "team-a/**, team-a/app",
        "team-a/**, team-a/*",
        "team-a/**, team-a/**/cache",
        "team-a/**, team-a/${user}/**",
        "team-a/*, team-a/app-*",
        "team-a/*, team-a/${user}",
        "team-a/**, team-a/x*y/**",
        "**, anything/at/all",
        "team-a/**, team-a/*/*/*",
        "team-a*/**, team-a/x",
        "*/**, team-a/**",
    })
    void covers(String outer, String inner) {
        assertThat(PatternCoverage.covers(outer, inner)).isTrue();
    }

    @ParameterizedTest(name = "{0} does not cover {1}")
    @CsvSource({
        "team-a/**, team-ab/app",
        "team-a/**, team-a*/app",
        "team-a/**, **",
        "team-a/**, */app",
        "team-a/**, team-b/**",
        "team-a/*, team-a/**",
        "team-a/*, team-a/*/x",
        "team-a/**, ${user}/app",
        "team-a/${user}/**, team-a/bob/app",
        "team-a/**, team-a",
        "team-a/app, team-a/app*",
    })
    void doesNotCover(String outer, String inner) {
        assertThat(PatternCoverage.covers(outer, inner)).isFalse();
    }
}
