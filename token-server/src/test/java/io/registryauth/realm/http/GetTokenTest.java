package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.REALM_URL;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.decode;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /token as docker, containers/image (skopeo), containerd and Jib use it (docs/protocol.md, "GET /token"). */
class GetTokenTest {
    private static RealmFixture realm;

    @BeforeAll
    static void start() {
        realm = RealmFixture.start();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    private static JsonArray access(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return decode(json(response).getString("token"))[1].getJsonArray("access");
    }

    @Test
    void optionalParametersNeverCauseAnError() {
        String[] queries = {
                tokenQuery(),                                                       // docker login: no scope
                tokenQuery() + "&account=alice&offline_token=true&client_id=docker", // docker login, all optional
                tokenQuery("repository:team-a/app:pull") + "&account=alice",         // skopeo
                tokenQuery("repository:team-a/app:pull") + "&account=",              // empty account
                tokenQuery("repository:team-a/app:pull") + "&offline_token=false&client_id=",
                tokenQuery("repository:team-a/app:pull") + "&offline_token=maybe&client_id=x%20y",
                tokenQuery("repository:team-a/app:pull") + "&something_new=1&flag",
                "/token?scope=repository:team-a/app:pull&client_id=containerd&service=" + SERVICE,
        };
        for (String query : queries) {
            HttpResponse<String> response = realm.get(query, "alice");
            assertThat(response.statusCode()).as(query + " -> " + response.body()).isEqualTo(200);
        }
    }

    @Test
    void successIsExactly200WithJson() {
        HttpResponse<String> response = realm.get(tokenQuery("repository:team-a/app:pull"), "alice");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void rawAndPercentEncodedScopesMeanTheSame() {
        for (String scope : List.of("repository:team-a/app:pull,push", "repository%3Ateam-a%2Fapp%3Apull%2Cpush",
                "repository%3ateam-a%2fapp%3apull%2cpush")) {
            JsonArray access = access(realm.get(tokenQuery(scope), "alice"));
            assertThat(access).as(scope).hasSize(1);
            JsonObject entry = access.getJsonObject(0);
            assertThat(entry.getString("type")).isEqualTo("repository");
            assertThat(entry.getString("name")).isEqualTo("team-a/app");
            assertThat(entry.getJsonArray("actions")).as(scope).containsExactlyInAnyOrder("pull", "push");
        }
    }

    @Test
    void plusAndEncodedSpaceSeparateScopesInOneValue() {
        JsonArray plus = access(realm.get(tokenQuery("repository:team-a/a:pull+repository:team-a/b:pull"), "alice"));
        JsonArray space = access(realm.get(tokenQuery("repository:team-a/a:pull%20repository:team-a/b:pull"), "alice"));
        assertThat(plus).hasSize(2);
        assertThat(space).isEqualTo(plus);
    }

    @Test
    void ungrantedActionsAreLeftOutNotRefused() {
        // bob may only pull: a pull,push request (docker push's first step) still gets a pull token.
        JsonArray access = access(realm.get(tokenQuery("repository:team-a/app:pull,push"), "bob"));
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getJsonArray("actions")).containsExactly("pull");
    }

    @Test
    void nothingGrantedIsStillA200WithEmptyAccess() {
        JsonArray access = access(realm.get(tokenQuery("repository:elsewhere/app:push"), "bob"));
        assertThat(access).isEmpty();
    }

    @Test
    void crossRepositoryMountSourceNeverFailsTheRequest() {
        JsonArray access = access(realm.get(
                tokenQuery("repository:team-a/app:pull,push", "repository:secret/base:pull"), "alice"));
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getString("name")).isEqualTo("team-a/app");
    }

    @Test
    void wrongPasswordIs401WithErrcodeBodyAndBasicChallenge() {
        HttpResponse<String> response = realm.get(tokenQuery("repository:team-a/app:pull"), "alice", "wrong");
        assertUnauthorized(response);
        assertThat(response.body()).doesNotContain("wrong");
    }

    @Test
    void unknownUserIs401NeverAnonymous() {
        assertUnauthorized(realm.get(tokenQuery("repository:public/app:pull"), "mallory", "guess"));
        assertUnauthorized(realm.get(tokenQuery(), "mallory", "guess"));
    }

    static void assertUnauthorized(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        JsonObject error = json(response).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("code")).isEqualTo("UNAUTHORIZED");
        assertThat(error.getString("message")).isNotBlank();
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"" + REALM_URL + "\"");
    }

    @Test
    void noCredentialsIsAnonymousWithAnonymousGrantsOnly() {
        HttpResponse<String> response = realm.get(
                tokenQuery("repository:public/base:pull,push", "repository:team-a/app:pull"));
        JsonArray access = access(response);
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getString("name")).isEqualTo("public/base");
        assertThat(access.getJsonObject(0).getJsonArray("actions")).containsExactly("pull");
        assertThat(decode(json(response).getString("token"))[1].getString("sub")).isEmpty();
    }

    @Test
    void anonymousIs401WhenTheRealmForbidsIt() {
        try (RealmFixture closed = RealmFixture.start()) {
            closed.swap(RealmFixture.realm(closed.key, SERVICE, false, PASSWORDS.keySet()));
            assertUnauthorized(closed.get(tokenQuery("repository:public/base:pull")));
            assertThat(closed.get(tokenQuery("repository:public/base:pull"), "bob").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tokenAndAccessTokenAreTheSameValue() {
        JsonObject body = json(realm.get(tokenQuery("repository:team-a/app:pull"), "alice"));
        assertThat(body.getString("token")).isNotBlank().isEqualTo(body.getString("access_token"));
    }

    @Test
    void expiresInIsAnIntegerAndIssuedAtAnRfc3339StringMatchingTheClaims() {
        Instant now = Instant.parse("2026-11-29T10:00:00Z");
        try (RealmFixture fixed = RealmFixture.start(o -> o.withClock(RealmFixture.fixedClock(now)))) {
            HttpResponse<String> response = fixed.get(tokenQuery("repository:team-a/app:pull"), "alice");
            JsonObject body = json(response);
            assertThat(body.getValue("expires_in")).isInstanceOfAny(Integer.class, Long.class);
            assertThat(body.getLong("expires_in")).isEqualTo(RealmFixture.TOKEN_TTL.toSeconds());
            assertThat(body.getValue("issued_at")).isEqualTo("2026-11-29T10:00:00Z");
            JsonObject claims = decode(body.getString("token"))[1];
            assertThat(claims.getLong("iat")).isEqualTo(now.getEpochSecond());
            assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(body.getLong("expires_in"));
        }
    }

    @Test
    void issuedAtIsAStringEvenWithARunningClock() {
        JsonObject body = json(realm.get(tokenQuery(), "alice"));
        assertThat(body.getValue("issued_at")).isInstanceOf(String.class);
        assertThat(body.getString("issued_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    }

    @Test
    void refreshTokenOnlyWithOfflineTokenTrue() {
        assertThat(json(realm.get(tokenQuery() + "&offline_token=true&client_id=docker", "alice"))
                .getString("refresh_token")).isNotBlank();
        assertThat(json(realm.get(tokenQuery(), "alice")).containsKey("refresh_token")).isFalse();
        assertThat(json(realm.get(tokenQuery() + "&offline_token=false", "alice")).containsKey("refresh_token")).isFalse();
        // Anonymous callers have nothing to refresh.
        assertThat(json(realm.get(tokenQuery() + "&offline_token=true")).containsKey("refresh_token")).isFalse();
    }

    @Test
    void noRefreshTokenWhenTheRealmIssuesNone() {
        try (RealmFixture noRefresh = RealmFixture.start()) {
            noRefresh.swap(RealmFixture.realm(noRefresh.key, SERVICE, true, PASSWORDS.keySet(), Duration.ZERO));
            HttpResponse<String> response = noRefresh.get(tokenQuery() + "&offline_token=true", "alice");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).containsKey("refresh_token")).isFalse();
        }
    }

    @Test
    void accountMustMatchTheBasicUserWhenBothAreGiven() {
        assertUnauthorized(realm.get(tokenQuery("repository:team-a/app:pull") + "&account=bob", "alice"));
        assertThat(realm.get(tokenQuery("repository:team-a/app:pull") + "&account=alice", "alice").statusCode())
                .isEqualTo(200);
        // account without credentials is just a hint: anonymous rules apply.
        assertThat(realm.get(tokenQuery("repository:public/x:pull") + "&account=alice").statusCode()).isEqualTo(200);
    }

    @Test
    void groupMembersGetTheirGroupsGrants() {
        JsonArray access = access(realm.get(tokenQuery("repository:devs/tool:*"), "carol"));
        assertThat(access.getJsonObject(0).getJsonArray("actions")).containsExactly("*");
        assertThat(access(realm.get(tokenQuery("repository:devs/tool:*"), "bob"))).isEmpty();
    }

    @Test
    void missingServiceIs400() {
        HttpResponse<String> response = realm.get("/token?scope=repository:team-a/app:pull", "alice");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).getJsonArray("errors").getJsonObject(0).getString("message"))
                .isEqualTo("missing service");
    }

    @Test
    void unknownServiceIs400NamingIt() {
        HttpResponse<String> response = realm.get("/token?service=nope.test&scope=repository:team-a/app:pull", "alice");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonObject error = json(response).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("code")).isEqualTo("INVALID_REQUEST");
        assertThat(error.getString("message")).isEqualTo("unknown service 'nope.test'");
    }

    @Test
    void everyUserGetsOnlyTheirOwnGrants() {
        for (String user : Set.of("alice", "bob", "carol")) {
            JsonArray access = access(realm.get(tokenQuery("repository:team-a/app:push"), user));
            assertThat(access.isEmpty()).as(user).isEqualTo(!user.equals("alice"));
        }
    }
}
