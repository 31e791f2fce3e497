package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One structured audit line per token decision, holding names and scopes but never a secret. */
class AuditTest {
    private RealmFixture realm;

    @BeforeEach
    void start() {
        realm = RealmFixture.start();
    }

    @AfterEach
    void stop() {
        realm.close();
    }

    @Test
    void issuedTokenIsAuditedWithoutPasswordOrToken() {
        JsonObject body = json(realm.get(tokenQuery("repository:team-a/app:pull,push") + "&offline_token=true", "bob"));
        List<String> lines = realm.awaitAuditLines(1);
        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        JsonObject audit = new JsonObject(line);
        assertThat(audit.getString("time")).isNotBlank();
        assertThat(audit.getString("service")).isEqualTo(SERVICE);
        assertThat(audit.getString("subject")).isEqualTo("bob");
        assertThat(audit.getString("authenticator")).isEqualTo("htpasswd");
        assertThat(audit.getString("client")).isEqualTo("127.0.0.1");
        assertThat(audit.getJsonArray("requested").getList()).hasSize(1);
        assertThat(audit.getJsonArray("requested").getString(0)).isEqualTo("repository:team-a/app:pull,push");
        assertThat(audit.getJsonArray("granted").getList()).containsExactly("repository:team-a/app:pull");
        assertThat(audit.getString("outcome")).as(line).isEqualTo("issued");
        assertThat(audit.containsKey("reason")).isFalse();

        assertThat(line).doesNotContain(PASSWORDS.get("bob"))
                .doesNotContain(body.getString("token"))
                .doesNotContain(body.getString("token").split("\\.")[2])
                .doesNotContain(body.getString("refresh_token"));
    }

    @Test
    void refusalIsAuditedWithItsReasonAndNoPassword() {
        realm.get(tokenQuery("repository:team-a/app:push"), "alice", "hunter2-guess");
        String line = realm.awaitAuditLines(1).get(0);
        JsonObject audit = new JsonObject(line);
        assertThat(audit.getString("outcome")).isEqualTo("unauthorized");
        assertThat(audit.getString("subject")).isEqualTo("alice");
        assertThat(audit.getString("reason")).isEqualTo("invalid username or password");
        assertThat(audit.getJsonArray("granted").getList()).isEmpty();
        assertThat(line).doesNotContain("hunter2-guess");
    }

    @Test
    void refreshGrantIsAuditedWithoutTheRefreshToken() {
        String service = URLEncoder.encode(SERVICE, StandardCharsets.UTF_8);
        String refresh = json(realm.postForm("grant_type=password&access_type=offline&service=" + service
                + "&username=alice&password=" + PASSWORDS.get("alice"))).getString("refresh_token");
        String token = json(realm.postForm("grant_type=refresh_token&service=" + service + "&refresh_token="
                + URLEncoder.encode(refresh, StandardCharsets.UTF_8))).getString("access_token");
        List<String> lines = realm.awaitAuditLines(2);
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            assertThat(line).doesNotContain(refresh).doesNotContain(token).doesNotContain(PASSWORDS.get("alice"));
            assertThat(new JsonObject(line).getString("outcome")).isEqualTo("issued");
        }
        assertThat(new JsonObject(lines.get(1)).getString("subject")).isEqualTo("alice");
    }

    @Test
    void badRequestsAreAuditedToo() {
        realm.get("/token?service=nope&scope=repository:a/b:pull");
        JsonObject audit = new JsonObject(realm.awaitAuditLines(1).get(0));
        assertThat(audit.getString("outcome")).isEqualTo("bad_request");
        assertThat(audit.getString("reason")).isEqualTo("unknown service 'nope'");
        assertThat(audit.getInteger("status")).isEqualTo(400);
    }

    @Test
    void anonymousRequestsAreAuditedAsAnonymous() {
        realm.get(tokenQuery("repository:public/base:pull"));
        JsonObject audit = new JsonObject(realm.awaitAuditLines(1).get(0));
        assertThat(audit.getString("subject")).isEmpty();
        assertThat(audit.getString("authenticator")).isEqualTo("anonymous");
        assertThat(audit.getJsonArray("granted").getList()).containsExactly("repository:public/base:pull");
    }
}
