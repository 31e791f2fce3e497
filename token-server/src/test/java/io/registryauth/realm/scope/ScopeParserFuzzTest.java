package io.registryauth.realm.scope;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.registryauth.realm.RealmException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the scope parser. The input is UTF-8 text; each line is one {@code scope} value as a request
 * repeats it. In a plain test run the seeds under {@code ScopeParserFuzzTestInputs/parse} are replayed;
 * with {@code JAZZER_FUZZ=1} Jazzer mutates them for the annotated duration.
 */
class ScopeParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        List<String> values = Arrays.asList(new String(input, StandardCharsets.UTF_8).split("\n", -1));
        List<ResourceScope> scopes;
        try {
            scopes = ScopeParser.parse(values);
        } catch (RealmException e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("INVALID_REQUEST");
            // The message reaches the client: printable ASCII only and short whatever the input.
            assertThat(e.getMessage()).matches("[\\x20-\\x7e]+").hasSizeLessThan(400);
            return;
        }
        assertThat(scopes.size()).isLessThanOrEqualTo(ScopeParser.MAX_SCOPES);
        for (ResourceScope scope : scopes) {
            assertThat(scope.actions()).isNotEmpty();
            assertThat(scope.type()).isIn("repository", "registry");
            assertThat(ScopeParser.parse(List.of(scope.toScopeString()))).containsExactly(scope);
        }
        assertThat(scopes.stream().map(s -> s.typeWithClass() + ":" + s.name()).distinct().count())
                .as("duplicates merged").isEqualTo(scopes.size());
    }
}
