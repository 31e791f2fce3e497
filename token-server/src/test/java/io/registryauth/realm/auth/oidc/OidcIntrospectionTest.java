package io.registryauth.realm.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.policy.SubjectKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OidcIntrospectionTest {
    private static final String OPAQUE = "opaque-token-0123456789abcdef";

    private FakeIdentityProvider idp;
    private MutableClock clock;
    private OidcAuthenticator authenticator;
    private OidcProvider provider;
    private RealmConfig realm;

    @BeforeEach
    void start() throws Exception {
        idp = new FakeIdentityProvider();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        authenticator = new OidcAuthenticator(OidcAuthenticator.Settings.defaults().withClock(clock));
        provider = OidcTestRealms.introspecting("corp", idp.issuer, Duration.ofMinutes(2));
        realm = OidcTestRealms.realm(provider);
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private Map<String, Object> active(String user, Instant expiry) {
        Map<String, Object> answer = new HashMap<>();
        answer.put("active", true);
        answer.put("iss", idp.issuer);
        answer.put("preferred_username", user);
        answer.put("groups", List.of("developers"));
        answer.put("exp", expiry.getEpochSecond());
        answer.put("aud", OidcTestRealms.SERVICE);
        return answer;
    }

    private AuthResult login(String username, String token) {
        return authenticator.authenticate(realm, new Credentials(username, token));
    }

    @Test
    void activeOpaqueTokenIsAdmittedWithGroups() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(300)));

        assertThat(OidcTestRealms.identity(login("alice", OPAQUE))).isEqualTo(new Identity("alice", Set.of("developers"), "oidc:corp", SubjectKind.USER));
        assertThat(idp.introspectionCalls).hasValue(1);
    }

    @Test
    void nullFieldsInTheAnswerAreHarmless() {
        Map<String, Object> answer = active("alice", clock.instant().plusSeconds(300));
        answer.put("acr", null);
        answer.put("groups", null);
        idp.introspection.put(OPAQUE, answer);

        assertThat(OidcTestRealms.identity(login("alice", OPAQUE))).isEqualTo(new Identity("alice", Set.of(), "oidc:corp", SubjectKind.USER));
    }

    @Test
    void inactiveTokenIsRejectedWithTheWordsAWrongPasswordGets() {
        // An opaque token went to the provider because nobody else owns it: a reason of its own would
        // tell that the user name is no local user's.
        AuthResult result = login("alice", OPAQUE);

        assertThat(result).isEqualTo(new AuthResult.Rejected("invalid username or password"));
    }

    @Test
    void jwtOfAnIntrospectingProviderIsIntrospectedNotValidatedLocally() {
        String jwt = idp.token("alice", clock.instant().plusSeconds(300), c -> { });

        assertThat(login("alice", jwt)).isEqualTo(new AuthResult.Rejected("access token is not active"));
        idp.introspection.put(jwt, active("alice", clock.instant().plusSeconds(300)));
        assertThat(login("alice", jwt)).isInstanceOf(AuthResult.Admitted.class);
        assertThat(idp.introspectionCalls).hasValue(2);
        assertThat(idp.jwksCalls).hasValue(0);
    }

    @Test
    void answersAreCachedUntilTheTokensExpiryOrTheMaximumAge() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(90)));

        for (int i = 0; i < 5; i++) {
            assertThat(login("alice", OPAQUE)).isInstanceOf(AuthResult.Admitted.class);
        }
        assertThat(idp.introspectionCalls).hasValue(1);

        clock.advance(Duration.ofSeconds(91)); // past the token's own expiry, well within the maximum age
        idp.introspection.put(OPAQUE, Map.of("active", false));
        assertThat(login("alice", OPAQUE)).isInstanceOf(AuthResult.Rejected.class);
        assertThat(idp.introspectionCalls).hasValue(2);

        String longLived = OPAQUE + "-long";
        idp.introspection.put(longLived, active("alice", clock.instant().plus(Duration.ofHours(1))));
        assertThat(login("alice", longLived)).isInstanceOf(AuthResult.Admitted.class);
        clock.advance(Duration.ofMinutes(5)); // the maximum age
        assertThat(login("alice", longLived)).isInstanceOf(AuthResult.Admitted.class);
        assertThat(idp.introspectionCalls).hasValue(4);
    }

    @Test
    void cachedVerdictStillChecksTheUsername() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(300)));

        assertThat(login("alice", OPAQUE)).isInstanceOf(AuthResult.Admitted.class);
        assertThat(login("mallory", OPAQUE)).isEqualTo(new AuthResult.Rejected("invalid username or password"));
        String jwt = idp.token("alice", clock.instant().plusSeconds(300), c -> { });
        idp.introspection.put(jwt, active("alice", clock.instant().plusSeconds(300)));
        assertThat(login("mallory", jwt)).isEqualTo(new AuthResult.Rejected("username does not match the token's user"));
    }

    @Test
    void providerDownKeepsRecentlyValidatedTokensButNewOnesAreUnavailable() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(300)));
        assertThat(login("alice", OPAQUE)).isInstanceOf(AuthResult.Admitted.class);
        idp.stop();

        assertThat(login("alice", OPAQUE)).isInstanceOf(AuthResult.Admitted.class);
        AuthResult fresh = login("bob", "another-opaque-token-98765");
        assertThat(fresh).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) fresh).reason()).contains(idp.issuer).doesNotContain("another-opaque");
    }

    @Test
    void slowProviderIsCutOffByTheTimeout() {
        authenticator = new OidcAuthenticator(OidcAuthenticator.Settings.defaults().withClock(clock)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(300)));
        AuthResult warmUp = null;
        for (int i = 0; i < 10 && !(warmUp instanceof AuthResult.Admitted); i++) {
            warmUp = login("alice", OPAQUE); // this machine may be busy: the first calls are slow
        }
        assertThat(warmUp).isInstanceOf(AuthResult.Admitted.class);
        idp.introspectionDelayMillis.set(30_000);

        long started = System.nanoTime();
        AuthResult result = login("alice", "another-opaque-token-0123456789");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) result).reason()).contains("did not answer the introspection request in time");
        assertThat(tookMillis).isBetween(1_900L, 10_000L);
    }

    @Test
    void wrongClientCredentialsAreAnOutageNotTheUsersFault() {
        provider = new OidcProvider("corp", idp.issuer, List.of(), "preferred_username", "groups", "", Set.of(),
                new OidcProvider.Introspection(FakeIdentityProvider.CLIENT_ID, "wrong-secret-value"), null,
                Duration.ofMinutes(2));
        realm = OidcTestRealms.realm(provider);
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(300)));

        AuthResult result = login("alice", OPAQUE);

        assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) result).reason())
                .contains("refused the realm's introspection client credentials").doesNotContain("wrong-secret-value");
    }

    @Test
    void anOpaqueTokenGoesToTheOneIntrospectingProviderTheUsernameNamesAndNoOther() throws Exception {
        try (FakeIdentityProvider second = new FakeIdentityProvider()) {
            OidcProvider other = new OidcProvider("partner", second.issuer, List.of(), "preferred_username", "groups",
                    "partner:", Set.of(), provider.introspection(), null, Duration.ofMinutes(2));
            OidcProvider localOnly = OidcTestRealms.jwks("local", "https://local.example");
            realm = OidcTestRealms.realm(localOnly, provider, other);
            Map<String, Object> answer = active("alice", clock.instant().plusSeconds(300));
            answer.put("iss", second.issuer);
            second.introspection.put(OPAQUE, answer);

            assertThat(OidcTestRealms.identity(login("partner:alice", OPAQUE))).isEqualTo(
                    new Identity("partner:alice", Set.of("partner:developers"), "oidc:partner", SubjectKind.USER));
            // "alice" names neither provider: the token is shown to none of them.
            assertThat(authenticator.claim(realm, new Credentials("alice", OPAQUE))).isEqualTo(Authenticator.Claim.NONE);
            assertThat(idp.introspectionCalls).hasValue(0);
            assertThat(second.introspectionCalls).hasValue(1);
        }
    }

    @Test
    void answerForAnotherIssuerOrAudienceIsRefused() {
        Map<String, Object> foreign = active("alice", clock.instant().plusSeconds(300));
        foreign.put("iss", "https://elsewhere.example");
        idp.introspection.put(OPAQUE, foreign);
        assertThat(login("alice", OPAQUE)).isEqualTo(new AuthResult.Rejected("invalid username or password"));
        String jwt = idp.token("alice", clock.instant().plusSeconds(300), c -> { });
        idp.introspection.put(jwt, foreign);
        assertThat(login("alice", jwt)).isEqualTo(new AuthResult.Rejected("token issuer is not " + idp.issuer));

        provider = new OidcProvider("corp", idp.issuer, List.of("registry"), "preferred_username", "groups", "",
                Set.of(), provider.introspection(), null, Duration.ofMinutes(2));
        realm = OidcTestRealms.realm(provider);
        Map<String, Object> wrongAudience = active("alice", clock.instant().plusSeconds(300));
        wrongAudience.put("aud", "account");
        String audienceJwt = idp.token("alice", clock.instant().plusSeconds(300), c -> { });
        idp.introspection.put(audienceJwt, wrongAudience);
        assertThat(login("alice", audienceJwt))
                .isEqualTo(new AuthResult.Rejected("token is not meant for this registry (audience)"));
        // By default the audience is the realm's service.
        provider = OidcTestRealms.introspecting("corp", idp.issuer, Duration.ofMinutes(2));
        realm = OidcTestRealms.realm(provider);
        assertThat(login("alice", audienceJwt))
                .isEqualTo(new AuthResult.Rejected("token is not meant for this registry (audience)"));
    }

    @Test
    void tokensAndClientSecretsReachNeitherAnswersNorLogs() {
        String secret = "client-secret-that-must-not-leak";
        provider = new OidcProvider("corp", idp.issuer, List.of(), "preferred_username", "groups", "", Set.of(),
                new OidcProvider.Introspection(FakeIdentityProvider.CLIENT_ID, secret), null, Duration.ofMinutes(2));
        realm = OidcTestRealms.realm(provider);
        PrintStream original = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        List<String> reasons = new ArrayList<>();
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            reasons.add(login("alice", OPAQUE).toString()); // wrong client secret: logged as an outage
            idp.stop();
            reasons.add(login("alice", OPAQUE).toString()); // provider gone: logged as an outage
        } finally {
            System.setErr(original);
        }

        String everything = logs.toString(StandardCharsets.UTF_8) + String.join("\n", reasons) + provider;
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("identity provider corp unavailable");
        assertThat(everything).doesNotContain(OPAQUE).doesNotContain(secret);
    }

    @Test
    void shortPasswordsAreNeverSentToTheProvider() {
        assertThat(authenticator.claim(realm, new Credentials("alice", "hunter2"))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(authenticator.claim(realm, new Credentials("alice", "a password with spaces in it")))
                .isEqualTo(Authenticator.Claim.NONE);
        assertThat(authenticator.claim(realm, new Credentials("alice", OPAQUE))).isEqualTo(Authenticator.Claim.LEFTOVER);
        assertThat(idp.introspectionCalls).hasValue(0);
    }

    @Test
    void costIsRemoteExactlyWhenTheProviderWouldBeAsked() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(600)));
        Credentials credentials = new Credentials("alice", OPAQUE);
        assertThat(authenticator.cost(realm, new Credentials("alice", "hunter2"))).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.cost(realm, credentials)).isEqualTo(Authenticator.Cost.REMOTE);
        assertThat(idp.introspectionCalls).hasValue(0);

        Session alice = OidcTestRealms.session(login("alice", OPAQUE), clock.instant());
        assertThat(authenticator.cost(realm, credentials)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.recheckCost(realm, alice)).isEqualTo(Authenticator.Cost.CHEAP);

        // Past the recheck interval (2 minutes) the provider must confirm the user again.
        clock.advance(Duration.ofMinutes(3));
        assertThat(authenticator.recheckCost(realm, alice)).isEqualTo(Authenticator.Cost.REMOTE);
        // Past the token's life it cannot be asked any more: the session goes on as last confirmed.
        clock.advance(Duration.ofMinutes(10));
        assertThat(authenticator.recheckCost(realm, alice)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(idp.introspectionCalls).hasValue(1);
    }

    @Test
    void recheckAsksTheProviderAgainOnlyAfterTheInterval() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(600)));
        Session alice = OidcTestRealms.session(login("alice", OPAQUE), clock.instant());
        Identity atLogin = alice.identity();

        clock.advance(Duration.ofMinutes(1));
        assertThat(OidcTestRealms.identity(authenticator.recheck(realm, alice))).isEqualTo(atLogin);
        assertThat(idp.introspectionCalls).hasValue(1);

        clock.advance(Duration.ofMinutes(2));
        Map<String, Object> moved = active("alice", clock.instant().plusSeconds(300));
        moved.put("groups", List.of("auditors"));
        idp.introspection.put(OPAQUE, moved);
        assertThat(OidcTestRealms.identity(authenticator.recheck(realm, alice)))
                .isEqualTo(new Identity("alice", Set.of("auditors"), "oidc:corp", SubjectKind.USER));
        assertThat(idp.introspectionCalls).hasValue(2);

        clock.advance(Duration.ofMinutes(3));
        idp.introspection.put(OPAQUE, Map.of("active", false)); // e.g. the user was disabled
        assertThat(authenticator.recheck(realm, alice)).isEqualTo(new AuthResult.Rejected(
                "the identity provider no longer accepts this login (access token is not active); log in again"));
        assertThat(authenticator.recheck(realm, alice)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void anotherReplicaOrARestartNeedsNoMemoryOfTheLogin() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(600)));
        Session alice = OidcTestRealms.session(login("alice", OPAQUE), clock.instant());
        OidcAuthenticator otherReplica = new OidcAuthenticator(OidcAuthenticator.Settings.defaults().withClock(clock));

        assertThat(OidcTestRealms.identity(otherReplica.recheck(realm, alice))).isEqualTo(alice.identity());
        assertThat(idp.introspectionCalls).as("the other replica asked the provider itself").hasValue(2);
        idp.introspection.put(OPAQUE, Map.of("active", false));
        clock.advance(Duration.ofMinutes(3));
        assertThat(otherReplica.recheck(realm, alice)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void onceTheTokenIsPastAskingTheSessionKeepsTheLastConfirmedIdentityUntilItsEnd() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(200)));
        AuthResult login = login("alice", OPAQUE);
        Session alice = OidcTestRealms.session(login, clock.instant());
        assertThat(alice.binding().remoteToken()).isEqualTo(OPAQUE);
        assertThat(alice.binding().notAfter()).isEqualTo(clock.instant().plus(OidcProvider.DEFAULT_SESSION_MAX_AGE));

        clock.advance(Duration.ofMinutes(4)); // past both the interval and the token's expiry
        idp.stop(); // nobody can be asked now
        assertThat(OidcTestRealms.identity(authenticator.recheck(realm, alice))).isEqualTo(alice.identity());
        OidcAuthenticator restarted = new OidcAuthenticator(OidcAuthenticator.Settings.defaults().withClock(clock));
        assertThat(OidcTestRealms.identity(restarted.recheck(realm, alice))).isEqualTo(alice.identity());
    }

    @Test
    void recheckWhileTheProviderIsDownIsUnavailable() {
        idp.introspection.put(OPAQUE, active("alice", clock.instant().plusSeconds(600)));
        Session alice = OidcTestRealms.session(login("alice", OPAQUE), clock.instant());
        idp.stop();

        clock.advance(Duration.ofMinutes(3));
        assertThat(authenticator.recheck(realm, alice)).isInstanceOf(AuthResult.Unavailable.class);
    }
}
