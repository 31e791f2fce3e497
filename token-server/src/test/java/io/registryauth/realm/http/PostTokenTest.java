package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.decode;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /token, the OAuth2 flavour docker (with a refresh token), containerd and Jib use. */
class PostTokenTest {
    private RealmFixture realm;

    @BeforeEach
    void start() {
        realm = RealmFixture.start();
    }

    @AfterEach
    void stop() {
        realm.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String passwordForm(String user, String... extra) {
        return "grant_type=password&service=" + enc(SERVICE) + "&client_id=containerd&username=" + enc(user)
                + "&password=" + enc(PASSWORDS.get(user)) + String.join("", extra);
    }

    private static Set<String> scopeSet(JsonObject body) {
        return Arrays.stream(body.getString("scope").split(" ")).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    @Test
    void passwordGrantAnswersLikeGetPlusOneScopeString() {
        HttpResponse<String> response = realm.postForm(passwordForm("alice",
                "&scope=" + enc("repository:team-a/app:pull,push")));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject body = json(response);
        assertThat(body.getString("access_token")).isNotBlank().isEqualTo(body.getString("token"));
        assertThat(body.getValue("expires_in")).isInstanceOfAny(Integer.class, Long.class);
        assertThat(body.getValue("issued_at")).isInstanceOf(String.class);
        assertThat(body.getString("issued_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        // containerd cannot decode a JSON list here: one space-separated string.
        assertThat(body.getValue("scope")).isInstanceOf(String.class);
        assertThat(body.getString("scope")).isIn("repository:team-a/app:pull,push", "repository:team-a/app:push,pull");
        assertThat(body.containsKey("refresh_token")).isFalse();
        assertThat(decode(body.getString("access_token"))[1].getString("sub")).isEqualTo("alice");
    }

    @Test
    void scopeIsTheGrantedIntersection() {
        JsonObject body = json(realm.postForm(passwordForm("bob", "&scope=" + enc("repository:team-a/app:pull,push"))));
        assertThat(body.getString("scope")).isEqualTo("repository:team-a/app:pull");
    }

    @Test
    void repeatedAndSpaceSeparatedScopeFieldsBothWork() {
        JsonObject repeated = json(realm.postForm(passwordForm("alice",
                "&scope=" + enc("repository:team-a/a:pull"), "&scope=" + enc("repository:team-a/b:push"))));
        JsonObject spaced = json(realm.postForm(passwordForm("alice",
                "&scope=" + enc("repository:team-a/a:pull repository:team-a/b:push"))));
        JsonObject plus = json(realm.postForm(passwordForm("alice",
                "&scope=repository:team-a/a:pull+repository:team-a/b:push")));
        Set<String> expected = Set.of("repository:team-a/a:pull", "repository:team-a/b:push");
        assertThat(scopeSet(repeated)).isEqualTo(expected);
        assertThat(scopeSet(spaced)).isEqualTo(expected);
        assertThat(scopeSet(plus)).isEqualTo(expected);
    }

    @Test
    void emptyOrMissingScopeIsA200WithAnEmptyScopeString() {
        for (String extra : new String[] {"", "&scope="}) {
            HttpResponse<String> response = realm.postForm(passwordForm("alice", extra));
            assertThat(response.statusCode()).as(extra).isEqualTo(200);
            assertThat(json(response).getString("scope")).isEmpty();
        }
    }

    @Test
    void offlineAccessReturnsARefreshTokenAndTheRefreshGrantReturnsTheSameOne() {
        JsonObject login = json(realm.postForm(passwordForm("alice", "&access_type=offline")));
        String refresh = login.getString("refresh_token");
        assertThat(refresh).isNotBlank();

        HttpResponse<String> response = realm.postForm("grant_type=refresh_token&service=" + enc(SERVICE)
                + "&client_id=docker&access_type=offline&refresh_token=" + enc(refresh)
                + "&scope=" + enc("repository:team-a/app:pull,push"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject body = json(response);
        assertThat(body.getString("refresh_token")).isEqualTo(refresh);
        assertThat(scopeSet(body)).hasSize(1);
        assertThat(decode(body.getString("access_token"))[1].getString("sub")).isEqualTo("alice");
    }

    @Test
    void refreshTokenFromGetWorksInPost() {
        // docker: GET with offline_token=true at login, saved as identitytoken, then POST only.
        String refresh = json(realm.get(tokenQuery() + "&offline_token=true&client_id=docker", "bob"))
                .getString("refresh_token");
        HttpResponse<String> response = realm.postForm("grant_type=refresh_token&service=" + enc(SERVICE)
                + "&client_id=docker&refresh_token=" + enc(refresh) + "&scope=" + enc("repository:team-a/app:pull"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).getString("scope")).isEqualTo("repository:team-a/app:pull");
    }

    @Test
    void invalidRefreshTokenIs401() {
        for (String bad : new String[] {"garbage", "a.b.c", "x".repeat(300)}) {
            HttpResponse<String> response = realm.postForm("grant_type=refresh_token&service=" + enc(SERVICE)
                    + "&refresh_token=" + enc(bad));
            GetTokenTest.assertUnauthorized(response);
        }
    }

    @Test
    void refreshTokenOfAnotherRealmIs401() {
        String refresh = json(realm.postForm(passwordForm("alice", "&access_type=offline"))).getString("refresh_token");
        realm.swap(RealmFixture.realm(realm.key, SERVICE, true, PASSWORDS.keySet()),
                RealmFixture.realm(realm.key, RealmFixture.OTHER_SERVICE, true, PASSWORDS.keySet()));
        HttpResponse<String> response = realm.postForm("grant_type=refresh_token&service="
                + enc(RealmFixture.OTHER_SERVICE) + "&refresh_token=" + enc(refresh));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    }

    @Test
    void deletedUsersRefreshTokenStopsWorkingAtOnce() {
        String refresh = json(realm.postForm(passwordForm("alice", "&access_type=offline"))).getString("refresh_token");
        String refreshForm = "grant_type=refresh_token&service=" + enc(SERVICE) + "&refresh_token=" + enc(refresh);
        assertThat(realm.postForm(refreshForm).statusCode()).isEqualTo(200);

        realm.swap(RealmFixture.realm(realm.key, SERVICE, true, Set.of("bob", "carol")));
        HttpResponse<String> response = realm.postForm(refreshForm);
        GetTokenTest.assertUnauthorized(response);
    }

    @Test
    void wrongPasswordIs401() {
        HttpResponse<String> response = realm.postForm("grant_type=password&service=" + enc(SERVICE)
                + "&username=alice&password=nope");
        GetTokenTest.assertUnauthorized(response);
    }

    @Test
    void unknownOrMissingGrantTypeIs400Unsupported() {
        for (String form : new String[] {
                "grant_type=client_credentials&service=" + enc(SERVICE),
                "service=" + enc(SERVICE) + "&username=alice&password=x"}) {
            HttpResponse<String> response = realm.postForm(form);
            assertThat(response.statusCode()).as(form).isEqualTo(400);
            JsonObject error = json(response).getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("code")).isEqualTo("UNSUPPORTED");
            assertThat(error.getString("message")).startsWith("unsupported grant_type");
        }
    }

    @Test
    void missingServiceIs400() {
        HttpResponse<String> response = realm.postForm("grant_type=password&username=alice&password=x");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).getJsonArray("errors").getJsonObject(0).getString("message"))
                .isEqualTo("missing service");
    }

    @Test
    void chunkedBodyWithoutContentLengthIsRead() {
        String form = passwordForm("alice", "&access_type=offline&scope=" + enc("repository:team-a/app:pull"));
        String body = Integer.toHexString(10) + "\r\n" + form.substring(0, 10) + "\r\n"
                + Integer.toHexString(form.length() - 10) + "\r\n" + form.substring(10) + "\r\n0\r\n\r\n";
        String answer = realm.raw(("POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(answer).contains("\"refresh_token\":").contains("\"scope\":\"repository:team-a/app:pull\"");
    }

    @Test
    void streamedBodyFromHttpClientIsRead() {
        // HttpClient sends an InputStream publisher chunked, as Jib's refresh POST does.
        byte[] form = passwordForm("bob", "&scope=" + enc("repository:team-a/app:pull")).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = realm.send(HttpRequest.newBuilder(realm.uri("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form))).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).getString("scope")).isEqualTo("repository:team-a/app:pull");
    }

    @Test
    void optionalFieldsNeverCauseAnError() {
        HttpResponse<String> response = realm.postForm(passwordForm("alice", "&client_id=", "&access_type=online",
                "&unknown_field=1", "&scope="));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        HttpResponse<String> noClient = realm.postForm("grant_type=password&service=" + enc(SERVICE)
                + "&username=alice&password=" + enc(PASSWORDS.get("alice")));
        assertThat(noClient.statusCode()).isEqualTo(200);
    }

    @Test
    void nonFormBodyIs400() {
        HttpResponse<String> response = realm.send(HttpRequest.newBuilder(realm.uri("/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"password\"}")).build());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).getJsonArray("errors")).hasSize(1);
    }
}
