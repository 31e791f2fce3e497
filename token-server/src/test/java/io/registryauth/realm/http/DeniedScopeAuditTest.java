package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit line's per-scope reason codes for what was asked and not granted, and for a malformed scope. */
class DeniedScopeAuditTest {
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
    void wholeGrantsCarryNoDeniedField() {
        json(realm.get(tokenQuery("repository:team-a/app:pull"), "bob"));
        assertThat(new JsonObject(realm.awaitAuditLines(1).get(0)).containsKey("denied")).isFalse();
    }

    @Test
    void anonymousAndPartialRequestsSayWhy() {
        json(realm.get(tokenQuery("repository:team-a/app:pull", "repository:public/x:pull,push")));
        JsonObject audit = new JsonObject(realm.awaitAuditLines(1).get(0));
        assertThat(audit.getJsonObject("denied").getMap()).containsExactly(
                Map.entry("repository:team-a/app:pull", "no-grant"),
                Map.entry("repository:public/x:pull,push", "action-not-granted"));
    }

    @Test
    void aMalformedScopeIsAuditedAsSuch() {
        assertThat(realm.get(tokenQuery("repository:team-a/App:pull"), "bob").statusCode()).isEqualTo(400);
        JsonObject audit = new JsonObject(realm.awaitAuditLines(1).get(0));
        assertThat(audit.getJsonObject("denied").getMap()).containsExactly(
                Map.entry("repository:team-a/App:pull", "malformed-scope"));
        assertThat(audit.encode()).doesNotContain(RealmFixture.PASSWORDS.get("bob"));
    }
}
