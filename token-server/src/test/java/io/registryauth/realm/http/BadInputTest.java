package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Session;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Oversized, malformed and hostile requests: always a 4xx with the errcode JSON, never a 500 or a trace. */
class BadInputTest {
    private static RealmFixture realm;

    @BeforeAll
    static void start() {
        realm = RealmFixture.start();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    /** Asserts the errcode shape with the given status and that no Java internals leak. */
    private static JsonObject assertError(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertNoTrace(response.body());
        JsonObject error = json(response).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("code")).isNotBlank();
        assertThat(error.getString("message")).isNotBlank();
        return error;
    }

    private static void assertNoTrace(String body) {
        assertThat(body).doesNotContain("Exception", "\tat ", "io.vertx", "java.");
    }

    private static String rawGet(String target, String... headers) {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        return realm.raw(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int status(String rawAnswer) {
        return Integer.parseInt(rawAnswer.substring(9, 12));
    }

    @Test
    void oversizedQueryIsRefusedWith4xx() {
        String answer = rawGet(tokenQuery("repository:team-a/" + "a".repeat(9000) + ":pull"));
        assertThat(status(answer)).isBetween(400, 499);
        assertNoTrace(answer);
    }

    @Test
    void oversizedHeadersAreRefusedWith4xx() {
        String answer = rawGet(tokenQuery(), "X-Padding: " + "p".repeat(9000));
        assertThat(status(answer)).isBetween(400, 499);
        assertNoTrace(answer);
    }

    @Test
    void oversizedBodyIs413WithErrcodeJson() {
        String form = "grant_type=password&service=" + SERVICE + "&username=alice&password=" + "x".repeat(20_000);
        JsonObject error = assertError(realm.postForm(form), 413);
        assertThat(error.getString("code")).isEqualTo("SIZE_INVALID");
    }

    @Test
    void invalidUtf8InTheQueryIs400() {
        assertError(realm.get(tokenQuery("repository:team-a/%ff%fe:pull"), "alice"), 400);
        assertError(realm.get(tokenQuery("repository:team-a/%c3:pull"), "alice"), 400);
        // Raw non-ASCII bytes in the request line, as a broken client might send them.
        byte[] request = ("GET /token?service=" + SERVICE + "&scope=repository:team-a/\u00ff\u00fe:pull HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        String answer = realm.raw(request);
        assertThat(status(answer)).isEqualTo(400);
        assertNoTrace(answer);
    }

    @Test
    void validUtf8IsDecodedAndJudgedByTheScopeGrammar() {
        // Percent-encoded UTF-8 decodes fine; the scope parser then refuses the name, still a 400.
        assertError(realm.get(tokenQuery("repository:team-a/%c3%a9:pull"), "alice"), 400);
    }

    @Test
    void badPercentEncodingIs400() {
        // HttpClient refuses to build such URIs: send them as raw bytes.
        for (String scope : List.of("repository:team-a/app:pull%zz", "repository:team-a/app:pull%4", "%")) {
            String answer = rawGet(tokenQuery(scope), "Authorization: " + RealmFixture.basic("alice", "alice-secret-1"));
            assertThat(status(answer)).as(scope).isEqualTo(400);
            assertThat(answer).contains("percent-encoding");
            assertNoTrace(answer);
        }
        assertError(realm.postForm("grant_type=password&service=" + SERVICE + "&username=%zzalice&password=x"), 400);
        assertError(realm.postForm("grant_type=password&service=" + SERVICE + "&username=%ffalice&password=x"), 400);
    }

    @Test
    void malformedBasicHeaderIs400() {
        String[] headers = {
                "Basic !!!not-base64!!!",
                "Basic " + Base64.getEncoder().encodeToString("no-colon-here".getBytes(StandardCharsets.UTF_8)),
                "Basic",
                "Bearer abc.def.ghi"};
        for (String header : headers) {
            HttpResponse<String> response = realm.send(HttpRequest.newBuilder(realm.uri(tokenQuery()))
                    .header("Authorization", header).GET().build());
            assertThat(response.statusCode()).as(header).isEqualTo(400);
            assertError(response, 400);
        }
    }

    @Test
    void malformedScopesAre400() {
        for (String scope : List.of("repository:", "repository::pull", "repository:Team/App:pull", ":::")) {
            assertError(realm.get(tokenQuery(scope), "alice"), 400);
        }
    }

    @Test
    void unknownPathsAndMethodsGetErrcodeJson() {
        assertError(realm.get("/nope"), 404);
        HttpResponse<String> put = realm.send(HttpRequest.newBuilder(realm.uri(tokenQuery()))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build());
        assertError(put, 405);
    }

    @Test
    void unexpectedFailuresAre500WithoutDetails() {
        Authenticator broken = new Authenticator() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Claim claim(RealmConfig realm, Credentials credentials) {
                return Claim.OWNS;
            }

            @Override
            public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
                throw new IllegalStateException("internal detail that must stay on the server");
            }

            @Override
            public AuthResult recheck(RealmConfig realm, Session session) {
                throw new IllegalStateException("internal detail that must stay on the server");
            }
        };
        try (RealmFixture brokenRealm = RealmFixture.start(o -> o.withAuthenticators(List.of(broken)))) {
            HttpResponse<String> response = brokenRealm.get(tokenQuery("repository:team-a/app:pull"), "alice");
            JsonObject error = assertError(response, 500);
            assertThat(error.getString("message")).isEqualTo("internal error");
            assertThat(response.body()).doesNotContain("internal detail");
            assertThat(brokenRealm.awaitAuditLines(1).get(0)).contains("\"outcome\":\"error\"");
        }
    }
}
