package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.FailureThrottle;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.RobotPasswords;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.auth.oidc.FakeIdentityProvider;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every credential belongs to one identity source, and only that source sees it; identities of different
 * sources never share grants; sessions keep what the login had and end with the credential. Each test holds
 * one defect that the realm once had, at the HTTP level where it showed, against a real (small) provider
 * that records every token it is asked about.
 */
class IdentitySourcesTest {
    private static final String ROBOT = RobotCredentials.nameFor("team-a", "pull-creds");
    private static final RobotPasswords.Generated ROBOT_PASSWORD = RobotPasswords.generate();
    /** A string with the shape of an opaque bearer token: what a leaked password could look like. */
    private static final String TOKEN_SHAPED = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";

    private FakeIdentityProvider corp;
    private FakeIdentityProvider sso;
    private SigningKey key;
    private final List<RealmFixture> servers = new ArrayList<>();
    private final FailureThrottle throttle = new FailureThrottle();

    @BeforeEach
    void start() throws Exception {
        corp = new FakeIdentityProvider();
        sso = new FakeIdentityProvider();
        key = RealmFixture.newKey();
    }

    @AfterEach
    void stop() {
        servers.forEach(RealmFixture::close);
        corp.close();
        sso.close();
    }

    /** htpasswd alice/bob/carol; corp validates JWTs, sso introspects (re-asked on every use); one robot. */
    private RealmConfig realm(Map<String, StaticUser> users, RobotCredentials robot) {
        RealmConfig base = RealmFixture.realm(key, SERVICE, true, RealmFixture.PASSWORDS.keySet());
        List<Grant> grants = new ArrayList<>(RealmFixture.GRANTS);
        grants.add(new Grant("g/bob-admin", List.of(Subject.user("bob")), List.of("admin/**"), Set.of("*"), true));
        grants.add(new Grant("g/admins", List.of(Subject.group("admins")), List.of("**"), Set.of("*"), true));
        grants.add(new Grant("g/team-a-pods", List.of(Subject.group("system:serviceaccounts:team-a")),
                List.of("team-a/**"), Set.of("pull", "push"), false));
        grants.add(new Grant("g/pushers", List.of(Subject.group("corp:pushers"), Subject.group("sso:pushers")),
                List.of("pushers/**"), Set.of("pull", "push"), false));
        grants.add(new Grant("g/robot", List.of(new Subject(SubjectKind.ROBOT, ROBOT)), List.of("team-a/**"),
                Set.of("pull"), false));
        OidcProvider jwt = new OidcProvider("corp", corp.issuer, List.of(), "preferred_username", "groups", null,
                Set.of(), null, null, null);
        OidcProvider introspecting = new OidcProvider("sso", sso.issuer, List.of(), "preferred_username", "groups",
                null, Set.of(), new OidcProvider.Introspection(FakeIdentityProvider.CLIENT_ID,
                FakeIdentityProvider.CLIENT_SECRET), null, Duration.ZERO);
        return new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(), base.tokenTtl(),
                base.refreshTtl(), base.keys(), base.refreshTokenKeys(), base.anonymous(), Policy.compile(grants),
                Map.of(RealmConfig.StaticUsers.class, new RealmConfig.StaticUsers(users),
                        RealmConfig.OidcProviders.class, new RealmConfig.OidcProviders(List.of(jwt, introspecting)),
                        RealmConfig.Robots.class, new RealmConfig.Robots(robot == null ? Map.of()
                                : Map.of(robot.name(), robot))));
    }

    private RealmConfig realm() {
        return realm(RealmFixture.realm(key, SERVICE, true, RealmFixture.PASSWORDS.keySet()).users(), robot());
    }

    private static RobotCredentials robot() {
        return new RobotCredentials(ROBOT, List.of(RobotCredentials.PasswordHash.current(ROBOT_PASSWORD.hash())));
    }

    private static List<Authenticator> sources() {
        return List.of(new RobotAuthenticator(), new OidcAuthenticator(), new HtpasswdAuthenticator());
    }

    private RealmFixture server(RealmState state) {
        return server(state, o -> o);
    }

    private RealmFixture server(RealmState state, UnaryOperator<TokenServer.Options> more) {
        RealmFixture server = RealmFixture.start(key, state, o -> more.apply(o.withAuthenticators(sources())
                .withThrottle(throttle)));
        servers.add(server);
        return server;
    }

    private RealmFixture server() {
        return server(new RealmState(RealmSnapshot.of(List.of(realm()))));
    }

    private String corpToken(String user, List<String> groups) {
        return corp.token(user, Instant.now().plusSeconds(300), c -> c.audience(SERVICE).claim("groups", groups));
    }

    /** Registers an opaque token at sso for {@code user} and returns it. */
    private String ssoToken(String user, List<String> groups) {
        String token = "sso-opaque-" + user + "-" + System.nanoTime() + "-0123456789";
        Map<String, Object> answer = new HashMap<>();
        answer.put("active", true);
        answer.put("iss", sso.issuer);
        answer.put("aud", SERVICE);
        answer.put("preferred_username", user);
        answer.put("groups", groups);
        answer.put("exp", Instant.now().plusSeconds(300).getEpochSecond());
        sso.introspection.put(token, answer);
        return token;
    }

    private static String path(String scope, boolean offline) {
        return "/token?service=" + URLEncoder.encode(SERVICE, StandardCharsets.UTF_8) + "&scope=" + scope
                + (offline ? "&offline_token=true" : "");
    }

    private static List<String> granted(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String jwt = RealmFixture.json(answer).getString("token");
        List<String> out = new ArrayList<>();
        RealmFixture.decode(jwt)[1].getJsonArray("access").forEach(a -> {
            JsonObject access = (JsonObject) a;
            out.add(access.getString("type") + ":" + access.getString("name") + ":"
                    + String.join(",", access.getJsonArray("actions").stream().map(Object::toString).toList()));
        });
        return out;
    }

    private static String refreshForm(String refreshToken, String scope) {
        return "grant_type=refresh_token&service=" + URLEncoder.encode(SERVICE, StandardCharsets.UTF_8)
                + "&scope=" + scope + "&refresh_token=" + refreshToken;
    }

    private static String message(HttpResponse<String> answer) {
        return RealmFixture.json(answer).getJsonArray("errors").getJsonObject(0).getString("message");
    }

    @Test
    void aPasswordGoesToTheSourceThatOwnsItAndNowhereElse() {
        RealmFixture realm = server();
        // alice's wrong password, shaped like a token: hers, checked against her hash, shown to no provider.
        HttpResponse<String> alice = realm.get(path("repository:team-a/app:pull", false), "alice", TOKEN_SHAPED);
        assertThat(alice.statusCode()).isEqualTo(401);
        // A robot password with one character more: the robot's, not a provider's.
        HttpResponse<String> robot = realm.get(path("repository:team-a/app:pull", false), ROBOT,
                ROBOT_PASSWORD.password() + "x");
        assertThat(robot.statusCode()).isEqualTo(401);
        // A Kubernetes service-account token, where the realm does not take them: nobody's, sent nowhere.
        String serviceAccountToken = FakeIdentityProvider.sign(
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256).keyID("k8s").build(),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer("https://kubernetes.default.svc.cluster.local")
                        .subject("system:serviceaccount:team-a:builder").audience("https://kubernetes.default.svc")
                        .expirationTime(java.util.Date.from(Instant.now().plusSeconds(600))).build(), corp.rsa);
        HttpResponse<String> pod = realm.get(path("repository:team-a/app:pull", false), "builder", serviceAccountToken);
        assertThat(pod.statusCode()).isEqualTo(401);

        assertThat(sso.introspected).as("tokens shown to the introspecting provider").isEmpty();
        assertThat(corp.introspected).isEmpty();
        assertThat(corp.jwksCalls).hasValue(0);
        assertThat(sso.introspectionCalls).hasValue(0);
    }

    @Test
    void anOpaqueTokenNoOtherSourceOwnsGoesToTheOneIntrospectingProvider() {
        RealmFixture realm = server();
        String token = ssoToken("dora", List.of("pushers"));

        assertThat(granted(realm.get(path("repository:pushers/app:pull,push", false), "dora", token)))
                .containsExactly("repository:pushers/app:pull,push");
        assertThat(sso.introspected).containsExactly(token);
    }

    @Test
    void identitiesOfDifferentSourcesNeverShareGrants() {
        RealmFixture realm = server();
        // A provider user who calls herself bob and claims the admins and a namespace's service-account group.
        String token = corpToken("bob", List.of("admins", "system:serviceaccounts:team-a"));
        String scopes = "repository:admin/app:pull,push&scope=repository:other/app:pull"
                + "&scope=repository:team-a/app:pull,push&scope=registry:catalog:*";

        HttpResponse<String> answer = realm.get(path(scopes, false), "bob", token);
        assertThat(granted(answer)).isEmpty();
        assertThat(realm.awaitAuditLines(1).get(0)).contains("\"subject\":\"corp:bob\"")
                .contains("\"authenticator\":\"oidc:corp\"");
        // htpasswd bob keeps what is his.
        assertThat(granted(realm.get(path("repository:admin/app:push", false), "bob")))
                .containsExactly("repository:admin/app:push");
    }

    @Test
    void systemGroupsComeOnlyFromKubernetesEvenWithoutAPrefix() {
        RealmConfig base = realm();
        OidcProvider flat = new OidcProvider("flat", corp.issuer, List.of(), "preferred_username", "groups", "",
                Set.of(), null, null, null);
        RealmConfig withFlat = base.with(new RealmConfig.OidcProviders(List.of(flat)));
        RealmFixture realm = server(new RealmState(RealmSnapshot.of(List.of(withFlat))));
        String token = corpToken("dora", List.of("system:serviceaccounts:team-a"));

        assertThat(granted(realm.get(path("repository:team-a/app:pull", false), "dora", token))).isEmpty();
    }

    @Test
    void aLocalUsersSessionEndsWhenHerPasswordChanges() {
        RealmState state = new RealmState(RealmSnapshot.of(List.of(realm())));
        RealmFixture realm = server(state);
        String refresh = RealmFixture.json(realm.get(path("repository:team-a/app:pull", true), "alice"))
                .getString("refresh_token");
        assertThat(realm.postForm(refreshForm(refresh, "repository:team-a/app:pull")).statusCode()).isEqualTo(200);

        Map<String, StaticUser> changed = new HashMap<>(realm().users());
        StaticUser alice = changed.get("alice");
        changed.put("alice", new StaticUser("alice", RealmFixture.realm(key, SERVICE, true, Set.of("bob")).users()
                .get("bob").bcryptHash(), alice.groups()));
        state.swap(RealmSnapshot.of(List.of(realm(changed, robot()))));

        HttpResponse<String> after = realm.postForm(refreshForm(refresh, "repository:team-a/app:pull"));
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(message(after)).isEqualTo("the password changed; log in again");
    }

    @Test
    void aRobotsSessionEndsWhenItsPasswordIsReplaced() {
        RealmState state = new RealmState(RealmSnapshot.of(List.of(realm())));
        RealmFixture realm = server(state);
        String refresh = RealmFixture.json(realm.get(path("repository:team-a/app:pull", true), ROBOT,
                ROBOT_PASSWORD.password())).getString("refresh_token");
        assertThat(realm.postForm(refreshForm(refresh, "repository:team-a/app:pull")).statusCode()).isEqualTo(200);

        // A hand edit of the pull Secret: the operator writes a new password and keeps no grace.
        RobotCredentials replaced = new RobotCredentials(ROBOT, List.of(RobotCredentials.PasswordHash.current(
                RobotPasswords.generate().hash())));
        state.swap(RealmSnapshot.of(List.of(realm(realm().users(), replaced))));

        assertThat(realm.postForm(refreshForm(refresh, "repository:team-a/app:pull")).statusCode()).isEqualTo(401);
    }

    @Test
    void aSessionKeepsItsGroupsForEveryRefresh() {
        RealmFixture realm = server();
        String jwtLogin = RealmFixture.json(realm.get(path("repository:pushers/app:pull,push", true), "dora",
                corpToken("dora", List.of("pushers")))).getString("refresh_token");
        String introspectedLogin = RealmFixture.json(realm.get(path("repository:pushers/app:pull,push", true), "erin",
                ssoToken("erin", List.of("pushers")))).getString("refresh_token");

        for (String refresh : List.of(jwtLogin, introspectedLogin)) {
            HttpResponse<String> answer = realm.postForm(refreshForm(refresh, "repository:pushers/app:pull,push"));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(RealmFixture.json(answer).getString("scope")).isEqualTo("repository:pushers/app:pull,push");
        }
    }

    @Test
    void aRefreshTokenFromOneReplicaWorksOnAnotherForEverySource() {
        RealmConfig shared = realm();
        RealmFixture first = server(new RealmState(RealmSnapshot.of(List.of(shared))));
        RealmFixture second = server(new RealmState(RealmSnapshot.of(List.of(shared))));
        String ssoLogin = ssoToken("erin", List.of("pushers"));
        Map<String, HttpResponse<String>> logins = Map.of(
                "htpasswd", first.get(path("repository:devs/app:pull", true), "carol"),
                "robot", first.get(path("repository:team-a/app:pull", true), ROBOT, ROBOT_PASSWORD.password()),
                "corp", first.get(path("repository:pushers/app:pull", true), "dora",
                        corpToken("dora", List.of("pushers"))),
                "sso", first.get(path("repository:pushers/app:pull", true), "erin", ssoLogin));
        Map<String, String> scopes = Map.of("htpasswd", "repository:devs/app:pull", "robot",
                "repository:team-a/app:pull", "corp", "repository:pushers/app:pull", "sso",
                "repository:pushers/app:pull");

        logins.forEach((source, login) -> {
            String refresh = RealmFixture.json(login).getString("refresh_token");
            HttpResponse<String> elsewhere = second.postForm(refreshForm(refresh, scopes.get(source)));
            assertThat(elsewhere.statusCode()).as(source + ": " + elsewhere.body()).isEqualTo(200);
            assertThat(RealmFixture.json(elsewhere).getString("scope")).as(source).isEqualTo(scopes.get(source));
        });

        // The provider disables erin: both replicas ask it again (recheck interval zero here) and refuse.
        sso.introspection.put(ssoLogin, Map.of("active", false));
        String refresh = RealmFixture.json(logins.get("sso")).getString("refresh_token");
        assertThat(first.postForm(refreshForm(refresh, "repository:pushers/app:pull")).statusCode()).isEqualTo(401);
        assertThat(second.postForm(refreshForm(refresh, "repository:pushers/app:pull")).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherSourcesSuccessUnderTheSameNameNeverClearsAUsersFailures() {
        RealmFixture realm = server();
        for (int i = 0; i < 4; i++) {
            assertThat(realm.get(path("repository:team-a/app:pull", false), "bob", "guess-" + i).statusCode())
                    .isEqualTo(401);
        }
        // A valid credential of another source, sent under bob's name.
        assertThat(realm.get(path("repository:team-a/app:pull", false), "bob", corpToken("bob", List.of()))
                .statusCode()).isEqualTo(200);
        assertThat(realm.get(path("repository:team-a/app:pull", false), "bob", "guess-5").statusCode()).isEqualTo(401);

        assertThat(realm.get(path("repository:team-a/app:pull", false), "bob").statusCode())
                .as("the fifth failure blocks bob, right password or not").isEqualTo(429);
    }

    @Test
    void anUnreachableProviderIsNoOracleForLocalPasswords() {
        RealmFixture realm = server();
        sso.stop();

        HttpResponse<String> wrong = realm.get(path("repository:team-a/app:pull", false), "alice", TOKEN_SHAPED);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(realm.get(path("repository:team-a/app:pull", false), "alice").statusCode()).isEqualTo(200);
    }

    @Test
    void knownAndUnknownUsersGetTheSameAnswer() {
        RealmFixture realm = server();
        HttpResponse<String> known = realm.get(path("repository:team-a/app:pull", false), "alice", TOKEN_SHAPED);
        HttpResponse<String> unknown = realm.get(path("repository:team-a/app:pull", false), "mallory", TOKEN_SHAPED);
        HttpResponse<String> unknownPlain = realm.get(path("repository:team-a/app:pull", false), "mallory", "hunter2");

        for (HttpResponse<String> answer : List.of(known, unknown, unknownPlain)) {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(message(answer)).isEqualTo("invalid username or password");
            assertThat(answer.headers().firstValue("WWW-Authenticate")).isEqualTo(
                    known.headers().firstValue("WWW-Authenticate"));
        }
    }

    @Test
    void aRemoteCheckRunsOnTheRemoteLaneAndALocalOneNeverCallsOut() {
        List<String> threads = new CopyOnWriteArrayList<>();
        Authenticator recordingProvider = new Authenticator() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public Claim claim(RealmConfig realm, Credentials credentials) {
                return credentials.password().startsWith("remote-") ? Claim.OWNS : Claim.NONE;
            }

            @Override
            public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
                threads.add(Thread.currentThread().getName());
                return new AuthResult.Admitted(new Identity(credentials.username(), Set.of(), "recording",
                        SubjectKind.USER));
            }

            @Override
            public AuthResult recheck(RealmConfig realm, Session session) {
                return new AuthResult.Rejected("no sessions here");
            }
        };
        RealmFixture realm = RealmFixture.start(key, new RealmState(RealmSnapshot.of(List.of(realm()))),
                o -> o.withAuthenticators(List.of(recordingProvider, new HtpasswdAuthenticator())));
        servers.add(realm);

        assertThat(realm.get(path("repository:team-a/app:pull", false), "alice", "wrong").statusCode()).isEqualTo(401);
        assertThat(realm.get(path("repository:team-a/app:pull", false), "alice").statusCode()).isEqualTo(200);
        assertThat(threads).as("alice's checks are hers alone").isEmpty();
        assertThat(realm.get(path("repository:team-a/app:pull", false), "dora", "remote-token").statusCode())
                .isEqualTo(200);
        assertThat(threads).singleElement().asString().startsWith("registry-auth-remote");
    }

    @Test
    void aProviderTokenForAnotherAudienceIsRefusedByDefault() {
        RealmFixture realm = server();
        String forAnotherClient = corp.token("dora", Instant.now().plusSeconds(300), c -> c.audience("another-client"));

        HttpResponse<String> answer = realm.get(path("repository:pushers/app:pull", false), "dora", forAnotherClient);
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(message(answer)).isEqualTo("token is not meant for this registry (audience)");
    }

    @Test
    void overlongCredentialsInAPasswordGrantAreRefusedBeforeAnyWork() {
        RealmFixture realm = server();
        String form = "grant_type=password&service=" + URLEncoder.encode(SERVICE, StandardCharsets.UTF_8)
                + "&username=" + "u".repeat(16 * 1024 - 200) + "&password=x";

        HttpResponse<String> answer = realm.postForm(form);
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(message(answer)).isEqualTo("invalid password grant: username longer than 256 characters");
        assertThat(throttle.size()).as("nothing remembered for it").isZero();
    }

    @Test
    void theAuditLineNamesTheGrantTypeAndTheSessionsAge() {
        RealmFixture realm = server();
        String refresh = RealmFixture.json(realm.get(path("repository:team-a/app:pull", true), "alice"))
                .getString("refresh_token");
        realm.postForm(refreshForm(refresh, "repository:team-a/app:pull"));
        realm.get(path("repository:public/app:pull", false));

        List<String> lines = realm.awaitAuditLines(3);
        assertThat(lines.get(0)).contains("\"grant\":\"password\"").doesNotContain("sessionAgeSeconds");
        assertThat(lines.get(1)).contains("\"grant\":\"refresh\"").contains("\"sessionAgeSeconds\":");
        assertThat(lines.get(2)).contains("\"grant\":\"anonymous\"");
        assertThat(String.join("\n", lines)).doesNotContain(refresh).doesNotContain("alice-secret");
    }
}
