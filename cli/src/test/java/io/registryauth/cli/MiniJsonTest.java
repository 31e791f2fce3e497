package io.registryauth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {
    @Test
    void readsWhatDockerAndPodmanWrite() {
        Object parsed = MiniJson.parse(" {\n\t\"auths\": {\"a.example\": {\"auth\": \"eDp5\"}},\r\n \"credHelpers\": {},"
                + " \"n\": -12, \"f\": 1.5e3, \"t\": true, \"no\": false, \"nil\": null, \"list\": [1, \"x\", [], {}],"
                + " \"esc\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\" } ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("auths", Map.of("a.example", Map.of("auth", "eDp5")));
        expected.put("credHelpers", Map.of());
        expected.put("n", -12L);
        expected.put("f", 1500.0);
        expected.put("t", true);
        expected.put("no", false);
        expected.put("nil", null);
        expected.put("list", List.of(1L, "x", List.of(), Map.of()));
        expected.put("esc", "q\" b\\ s/ \b\f\n\r\t \u00e9 \ud83d\ude00");
        assertThat(parsed).isEqualTo(expected);
        assertThat(List.copyOf(((Map<?, ?>) parsed).keySet()))
                .isEqualTo(List.of("auths", "credHelpers", "n", "f", "t", "no", "nil", "list", "esc"));
    }

    @Test
    void writesJsonThatAnotherParserReadsBackTheSame() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "quote\" backslash\\ newline\n control\u0001 unicode é \ud83d\ude00");
        value.put("n", 42L);
        value.put("list", Arrays.asList("a", null, true));
        value.put("nested", Map.of("k", List.of()));
        String written = MiniJson.write(value);
        assertThat(written).doesNotContain("\n").contains("\\u0001");
        assertThat(JSONObjectUtils.parse(written)).isEqualTo(value);
        assertThat(MiniJson.parse(written)).isEqualTo(value);
    }

    @Test
    void refusesWhatIsNotJsonWithoutQuotingIt() {
        for (String bad : List.of("", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "\"unterminated", "tru",
                "{\"s\":\"tab\there\"}", "01x", "{} {}", "\"\\x\"", "\"\\u12\"", "-", "[".repeat(100) + "]".repeat(100))) {
            assertThatThrownBy(() -> MiniJson.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("malformed JSON at offset");
        }
    }
}
