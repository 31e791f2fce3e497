package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.ISSUER;
import static io.registryauth.realm.http.RealmFixture.REALM_URL;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.TOKEN_TTL;
import static io.registryauth.realm.http.RealmFixture.decode;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.RobotCredentials.PasswordHash;
import io.registryauth.realm.auth.RobotPasswords;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A robot (generated grant credential) through the token endpoints: it gets exactly its grant even where
 * anonymous or authenticated grants would give more, never push, and a rotated-out password only
 * within its grace period.
 */
class RobotTokenTest {
    private static final String ROBOT = RobotCredentials.nameFor("team-a", "pull-creds");
    private static final RobotPasswords.Generated CURRENT = RobotPasswords.generate();
    private static final RobotPasswords.Generated PREVIOUS = RobotPasswords.generate();
    private static final Instant START = Instant.parse("2026-06-01T08:00:00Z");
    private static final Instant GRACE_ENDS = START.plus(Duration.ofMinutes(10));

    /** The robot's grant and, around it, grants that would give everyone else more. */
    private static final List<Grant> GRANTS = List.of(
            new Grant("team-a/pull-creds", List.of(new Subject(SubjectKind.ROBOT, ROBOT)), List.of("team-a/**"),
                    Set.of("pull"), false),
            new Grant("anyone", List.of(Subject.anonymous()), List.of("team-a/**", "public/**"),
                    Set.of("pull", "push"), true),
            new Grant("everyone-logged-in", List.of(Subject.authenticated()), List.of("**"), Set.of("*"), true));

    private static RealmConfig realm(SigningKey key, boolean withRobot) {
        Map<String, RobotCredentials> robots = withRobot
                ? Map.of(ROBOT, new RobotCredentials(ROBOT, List.of(PasswordHash.current(CURRENT.hash()),
                        new PasswordHash(PREVIOUS.hash(), GRACE_ENDS))))
                : Map.of();
        byte[] refreshKey = "refresh-token-key-for-robot-tests-0123456789".getBytes(StandardCharsets.UTF_8);
        return new RealmConfig("test/robots", SERVICE, ISSUER, REALM_URL, TOKEN_TTL, Duration.ofHours(8),
                KeyRing.of(key), refreshKey, true, Map.of(), Policy.compile(GRANTS), List.of(), robots);
    }

    private static RealmFixture start(UnaryOperator<TokenServer.Options> customize) {
        SigningKey key = RealmFixture.newKey();
        return RealmFixture.start(key, new RealmState(RealmSnapshot.of(List.of(realm(key, true)))), customize);
    }

    private static JsonArray access(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return decode(json(response).getString("token"))[1].getJsonArray("access");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void theDefaultChainAdmitsRobotsToExactlyTheirGrant() {
        try (RealmFixture server = start(UnaryOperator.identity())) {
            HttpResponse<String> response = server.get(tokenQuery("repository:team-a/app:pull,push",
                    "repository:public/x:pull", "repository:team-b/app:pull", "registry:catalog:*")
                    + "&account=" + enc(ROBOT), ROBOT, CURRENT.password());
            assertThat(access(response)).containsExactly(new JsonObject()
                    .put("type", "repository").put("name", "team-a/app").put("actions", new JsonArray().add("pull")));
            assertThat(decode(json(response).getString("token"))[1].getString("sub")).isEqualTo(ROBOT);

            // The same request without credentials gets what the anonymous grant gives: more than the robot.
            assertThat(access(server.get(tokenQuery("repository:team-a/app:pull,push", "repository:public/x:pull"))))
                    .hasSize(2);
            assertThat(server.awaitAuditLines(2).get(0)).contains(ROBOT).doesNotContain(CURRENT.password());
        }
    }

    @Test
    void aRobotIsRefusedPushOnGetAndPost() {
        try (RealmFixture server = start(UnaryOperator.identity())) {
            assertThat(access(server.get(tokenQuery("repository:team-a/app:push"), ROBOT, CURRENT.password())))
                    .isEmpty();
            HttpResponse<String> post = server.postForm("grant_type=password&service=" + enc(SERVICE)
                    + "&client_id=containerd&username=" + enc(ROBOT) + "&password=" + enc(CURRENT.password())
                    + "&scope=" + enc("repository:team-a/app:pull,push"));
            assertThat(post.statusCode()).as(post.body()).isEqualTo(200);
            assertThat(json(post).getString("scope")).isEqualTo("repository:team-a/app:pull");
        }
    }

    @Test
    void aWrongRobotPasswordIs401() {
        try (RealmFixture server = start(UnaryOperator.identity())) {
            HttpResponse<String> response = server.get(tokenQuery("repository:team-a/app:pull"), ROBOT,
                    CURRENT.password().substring(1));
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("Basic realm="));
            assertThat(response.body()).doesNotContain(CURRENT.password().substring(1));
        }
    }

    @Test
    void thePreviousPasswordWorksWithinTheGraceWindowOnly() {
        MutableClock clock = new MutableClock(START);
        try (RealmFixture server = start(options -> options.withClock(clock).withAuthenticators(
                List.of(new RobotAuthenticator(clock), new HtpasswdAuthenticator())))) {
            String pull = tokenQuery("repository:team-a/app:pull");
            assertThat(access(server.get(pull, ROBOT, PREVIOUS.password()))).hasSize(1);
            clock.set(GRACE_ENDS.minusSeconds(1));
            assertThat(access(server.get(pull, ROBOT, PREVIOUS.password()))).hasSize(1);
            clock.set(GRACE_ENDS);
            assertThat(server.get(pull, ROBOT, PREVIOUS.password()).statusCode()).isEqualTo(401);
            assertThat(access(server.get(pull, ROBOT, CURRENT.password()))).hasSize(1);
        }
    }

    @Test
    void removingTheRobotEndsItsLoginsAndRefreshTokens() {
        try (RealmFixture server = start(UnaryOperator.identity())) {
            HttpResponse<String> login = server.get(tokenQuery() + "&offline_token=true&client_id=docker", ROBOT,
                    CURRENT.password());
            String refresh = json(login).getString("refresh_token");
            assertThat(refresh).isNotBlank();
            String refreshForm = "grant_type=refresh_token&service=" + enc(SERVICE) + "&client_id=docker"
                    + "&refresh_token=" + enc(refresh) + "&scope=" + enc("repository:team-a/app:pull,push");
            HttpResponse<String> refreshed = server.postForm(refreshForm);
            assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
            assertThat(json(refreshed).getString("scope")).isEqualTo("repository:team-a/app:pull");

            server.swap(realm(server.key, false));
            assertThat(server.get(tokenQuery("repository:team-a/app:pull"), ROBOT, CURRENT.password()).statusCode())
                    .isEqualTo(401);
            assertThat(server.postForm(refreshForm).statusCode()).isEqualTo(401);
        }
    }
}
