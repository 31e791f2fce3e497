package io.registryauth.realm.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.ResourceScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The audit line is written by hand ({@link JsonText}) rather than through Vert.x's JsonObject: it must stay
 * the same JSON, field for field and in the same order, for every value a client can put into it, and stay
 * on one line whatever those values hold.
 */
class AuditLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant TIME = Instant.parse("2026-01-02T03:04:05.678901Z");
    /** Quotes, backslashes, every control character, a line separator, non-ASCII and a lone surrogate. */
    private static final String AWKWARD;

    static {
        StringBuilder s = new StringBuilder("a\"b\\c/d é ü 東 \u2028 \u2029 \ud83d\ude00 \ud800 ");
        for (char c = 0; c < 0x20; c++) {
            s.append(c);
        }
        AWKWARD = s.append('\u007f').toString();
    }

    @Test
    void anIssuedTokenLineEqualsTheJsonObjectEncoding() throws Exception {
        Decision decision = new Decision("10.0.0.7");
        decision.service = "registry.example.com:5000";
        decision.subject = "alice";
        decision.authenticator = "htpasswd";
        decision.grant = "password";
        decision.requested = List.of(scope("team-a/app", "pull", "push"), scope("shared/base", "pull"));
        decision.granted = List.of(scope("team-a/app", "pull"), scope("shared/base", "pull"));
        decision.denied = Map.of("repository:team-a/app:pull,push", "action-not-granted");
        assertSame(decision, TokenMetrics.Outcome.ISSUED, 200);
    }

    @Test
    void everyFieldWithAwkwardValuesEqualsTheJsonObjectEncodingOnOneLine() throws Exception {
        Decision decision = new Decision(AWKWARD);
        decision.service = AWKWARD;
        decision.subject = AWKWARD;
        decision.authenticator = "workload:" + AWKWARD;
        decision.grant = "refresh";
        decision.sessionAge = Duration.ofSeconds(3_601);
        decision.reason = "unknown service '" + AWKWARD + "'";
        Map<String, String> denied = new LinkedHashMap<>();
        denied.put(AWKWARD, "malformed-scope");
        denied.put("repository:b/c:push", "no-grant");
        decision.denied = denied;
        decision.describe(new Identity("gh:" + AWKWARD, Set.of(), "workload:gh", SubjectKind.WORKLOAD,
                Map.of("repository", AWKWARD, "ref", "refs/heads/main", "run_id", 42)));
        String line = assertSame(decision, TokenMetrics.Outcome.BAD_REQUEST, 400);
        assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029");
        assertThat(line.chars().filter(c -> c < 0x20)).isEmpty();
    }

    @Test
    void absentNamesAreNullAndOptionalFieldsAreLeftOut() throws Exception {
        Decision decision = new Decision("");
        String line = assertSame(decision, TokenMetrics.Outcome.ERROR, 500);
        JsonNode parsed = JSON.readTree(line);
        assertThat(parsed.get("service").isNull()).isTrue();
        assertThat(parsed.has("grant")).isFalse();
        assertThat(parsed.has("denied")).isFalse();
        assertThat(parsed.get("requested").isEmpty()).isTrue();
    }

    @Test
    void theTokenAnswerEscapesLikeTheAuditLine() throws Exception {
        String body = JsonText.object(64).field("token", "a.b.c").field("expires_in", 900L)
                .field("scope", AWKWARD).close();
        JsonNode parsed = JSON.readTree(body);
        assertThat(parsed.get("token").asText()).isEqualTo("a.b.c");
        assertThat(parsed.get("expires_in").asLong()).isEqualTo(900);
        assertThat(JSON.readTree(new JsonObject().put("scope", AWKWARD).encode()).get("scope"))
                .isEqualTo(parsed.get("scope"));
    }

    /** The line as written, parsed, equals the line Vert.x's JsonObject would write, field order included. */
    private static String assertSame(Decision decision, TokenMetrics.Outcome outcome, int status) throws Exception {
        String line = decision.auditLine(TIME, outcome, status);
        JsonNode written = JSON.readTree(line);
        JsonNode reference = JSON.readTree(reference(decision, TIME, outcome, status));
        assertThat(written).isEqualTo(reference);
        assertThat(names(written)).isEqualTo(names(reference));
        return line;
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** How the line was built before: a Vert.x JsonObject, encoded. */
    private static String reference(Decision d, Instant time, TokenMetrics.Outcome outcome, int status) {
        JsonObject line = new JsonObject()
                .put("time", time.toString())
                .put("event", "token")
                .put("service", d.service)
                .put("subject", d.subject)
                .put("authenticator", d.authenticator)
                .put("client", d.clientAddress)
                .put("requested", scopes(d.requested))
                .put("granted", scopes(d.granted))
                .put("outcome", outcome.label)
                .put("status", status);
        if (d.grant != null) {
            line.put("grant", d.grant);
        }
        if (d.sessionAge != null) {
            line.put("sessionAgeSeconds", d.sessionAge.toSeconds());
        }
        if (d.reason != null) {
            line.put("reason", d.reason);
        }
        if (!d.denied.isEmpty()) {
            JsonObject why = new JsonObject();
            d.denied.forEach(why::put);
            line.put("denied", why);
        }
        if (d.workload != null) {
            line.put("workload", new JsonObject(new LinkedHashMap<>(d.workload)));
        }
        return line.encode();
    }

    private static JsonArray scopes(List<ResourceScope> scopes) {
        JsonArray array = new JsonArray();
        scopes.forEach(s -> array.add(s.toScopeString()));
        return array;
    }

    private static ResourceScope scope(String name, String... actions) {
        return new ResourceScope("repository", null, name, Set.of(actions));
    }
}
