package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.decode;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Time-bound grants over HTTP with a clock the test moves: bob's push on team-a/** holds from validFrom to
 * validUntil exactly, with no new snapshot swapped in, and the audit line says why push was not granted.
 */
class TimeBoundGrantTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final Instant FROM = T0.plusSeconds(60);
    private static final Instant UNTIL = T0.plusSeconds(120);
    private final MutableClock clock = new MutableClock(T0);
    private RealmFixture realm;

    @BeforeEach
    void start() {
        SigningKey key = RealmFixture.newKey();
        List<Grant> grants = new ArrayList<>(RealmFixture.GRANTS);
        grants.add(new Grant("team-a/bob-contract", List.of(Subject.user("bob")), List.of("team-a/**"),
                Set.of("push"), false).validBetween(FROM, UNTIL));
        RealmConfig config = RealmFixture.realm(key, SERVICE, true, RealmFixture.PASSWORDS.keySet())
                .withPolicy(Policy.compile(grants, T0));
        RealmState state = new RealmState(RealmSnapshot.of(List.of(config)), clock);
        realm = RealmFixture.start(key, state, options -> options.withClock(clock));
    }

    @AfterEach
    void stop() {
        realm.close();
    }

    private List<Object> grantedActions() {
        String token = json(realm.get(tokenQuery("repository:team-a/app:pull,push"), "bob")).getString("token");
        JsonArray access = decode(token)[1].getJsonArray("access");
        return access.isEmpty() ? List.of() : access.getJsonObject(0).getJsonArray("actions").getList();
    }

    private JsonObject lastAudit(int count) {
        List<String> lines = realm.awaitAuditLines(count);
        assertThat(lines).hasSize(count);
        return new JsonObject(lines.get(count - 1));
    }

    @Test
    void pushIsGrantedOnlyWithinTheValidityPeriod() {
        assertThat(grantedActions()).containsExactly("pull");
        assertThat(lastAudit(1).getJsonObject("denied").getMap())
                .containsExactly(java.util.Map.entry("repository:team-a/app:pull,push", "pending"));

        clock.set(FROM);
        assertThat(grantedActions()).containsExactlyInAnyOrder("pull", "push");
        assertThat(lastAudit(2).containsKey("denied")).isFalse();

        clock.set(UNTIL.minusMillis(1));
        assertThat(grantedActions()).containsExactlyInAnyOrder("pull", "push");

        clock.set(UNTIL);
        assertThat(grantedActions()).containsExactly("pull");
        JsonObject audit = lastAudit(4);
        assertThat(audit.getJsonObject("denied").getMap())
                .containsExactly(java.util.Map.entry("repository:team-a/app:pull,push", "expired"));
    }

    @Test
    void deniedScopesCarryTheirReasonCodeAndNoSecret() {
        json(realm.get(tokenQuery("repository:team-a/app:pull,push", "repository:elsewhere/app:pull",
                "registry:catalog:*"), "bob"));
        JsonObject audit = lastAudit(1);
        assertThat(audit.getJsonObject("denied").getMap()).containsExactly(
                java.util.Map.entry("repository:team-a/app:pull,push", "pending"),
                java.util.Map.entry("repository:elsewhere/app:pull", "no-grant"),
                java.util.Map.entry("registry:catalog:*", "no-grant"));
        assertThat(audit.encode()).doesNotContain(RealmFixture.PASSWORDS.get("bob"));

        clock.set(FROM);
        json(realm.get(tokenQuery("repository:team-a/app:delete"), "bob"));
        assertThat(lastAudit(2).getJsonObject("denied").getMap())
                .containsExactly(java.util.Map.entry("repository:team-a/app:delete", "action-not-granted"));
    }
}
