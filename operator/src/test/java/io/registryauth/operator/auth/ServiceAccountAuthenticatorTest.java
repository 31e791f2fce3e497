package io.registryauth.operator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.SessionBinding;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceAccountAuthenticatorTest {
    private static final String SERVICE = "registry.test";
    private static final Instant NOW = Instant.parse("2026-06-01T08:00:00Z");
    private static final SigningKey KEY = SigningKey.generate(SigningAlgorithm.ES256, "sa-test", NOW.minusSeconds(60),
            Duration.ofDays(1));
    private static final RealmConfig REALM = new RealmConfig("test/sa", SERVICE, "registry-auth",
            "https://auth.test/token", Duration.ofMinutes(15), Duration.ofHours(8), KeyRing.of(KEY),
            new byte[32], false, Map.of(), Policy.empty());
    private static final Set<String> BUILDER_GROUPS = Set.of("system:serviceaccounts", "system:serviceaccounts:ci",
            "system:authenticated");
    private static final Identity BUILDER = new Identity("ci:builder", BUILDER_GROUPS, "serviceaccount",
            SubjectKind.SERVICE_ACCOUNT);

    private final MutableClock clock = new MutableClock(NOW);
    private FakeApiServer api;

    @BeforeEach
    void start() {
        api = new FakeApiServer(NOW);
        api.createServiceAccount("ci", "builder");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /**
     * The authenticator as a realm with {@code login} (null: service-account login disabled) sees it: the
     * tests pass REALM, and it is asked with REALM carrying the login, as the feed builds it.
     */
    private static final class Bound {
        final ServiceAccountAuthenticator authenticator;
        final RealmConfig realm;

        Bound(ServiceAccountAuthenticator authenticator, ServiceAccountLogin login) {
            this.authenticator = authenticator;
            this.realm = login == null ? REALM : REALM.with(login);
        }

        AuthResult authenticate(RealmConfig ignored, Credentials credentials) {
            return authenticator.authenticate(realm, credentials);
        }

        Authenticator.Claim claim(RealmConfig ignored, Credentials credentials) {
            return authenticator.claim(realm, credentials);
        }

        Authenticator.Cost cost(RealmConfig ignored, Credentials credentials) {
            return authenticator.cost(realm, credentials);
        }

        AuthResult recheck(RealmConfig ignored, Session session) {
            return authenticator.recheck(realm, session);
        }

        Authenticator.Cost recheckCost(RealmConfig ignored, Session session) {
            return authenticator.recheckCost(realm, session);
        }

        int cachedReviews() {
            return authenticator.cachedReviews();
        }
    }

    private Bound authenticator(ServiceAccountLogin login) {
        return authenticator(login, ServiceAccountAuthenticator.Settings.defaults());
    }

    private Bound authenticator(ServiceAccountLogin login, ServiceAccountAuthenticator.Settings settings) {
        return new Bound(new ServiceAccountAuthenticator(api.client, settings.withClock(clock)), login);
    }

    private Bound authenticator(FakeApiServer server, ServiceAccountAuthenticator.Settings settings) {
        return new Bound(new ServiceAccountAuthenticator(server.client, settings.withClock(clock)), enabled());
    }

    /** The identity a result admitted; fails the test when it is no admission. */
    private static Identity identity(AuthResult result) {
        assertThat(result).isInstanceOf(AuthResult.Admitted.class);
        return ((AuthResult.Admitted) result).identity();
    }

    /** The session a login starts now. */
    private Session session(AuthResult result) {
        AuthResult.Admitted login = (AuthResult.Admitted) result;
        Instant end = login.binding().notAfter() == null ? clock.instant().plus(Duration.ofHours(8))
                : login.binding().notAfter();
        return new Session(login.identity(), clock.instant(), end, login.binding());
    }

    private static ServiceAccountLogin enabled() {
        return new ServiceAccountLogin(List.of(), false);
    }

    private String builderToken() {
        return api.issue("ci", "builder", List.of(SERVICE), NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void aValidTokenIsAdmittedAsItsServiceAccountWithAnyUserName() {
        Bound authenticator = authenticator(enabled());
        AuthResult result = authenticator.authenticate(REALM, new Credentials("whoever", builderToken()));
        assertThat(identity(result)).isEqualTo(BUILDER);
        // The review was bound to the realm's service, the default audience.
        assertThat(api.reviewedAudiences).containsExactly(List.of(SERVICE));
    }

    @Test
    void costIsRemoteExactlyWhenAReviewWouldBeSent() {
        Bound authenticator = authenticator(enabled());
        String token = builderToken();
        Credentials credentials = new Credentials("x", token);
        assertThat(authenticator(null).cost(REALM, credentials)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.cost(REALM, new Credentials("alice", "wonderland"))).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.cost(REALM, new Credentials("x", api.issueLegacy("ci", "builder"))))
                .isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.cost(REALM, credentials)).isEqualTo(Authenticator.Cost.REMOTE);
        // Asking the cost sends nothing; the check does, once, and then its answer is cached.
        assertThat(api.reviewedAudiences).isEmpty();
        assertThat(identity(authenticator.authenticate(REALM, credentials))).isEqualTo(BUILDER);
        assertThat(authenticator.cost(REALM, credentials)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.cost(REALM, new Credentials("system", "serviceaccount:ci:builder:" + token)))
                .isEqualTo(Authenticator.Cost.CHEAP);
        clock.set(NOW.plus(Duration.ofHours(2)));
        assertThat(authenticator.cost(REALM, credentials)).as("expired: refused without a review")
                .isEqualTo(Authenticator.Cost.CHEAP);

        Session session = new Session(BUILDER, NOW, NOW.plusSeconds(600), SessionBinding.credential("some-uid"));
        assertThat(authenticator.recheckCost(REALM, session)).isEqualTo(Authenticator.Cost.REMOTE);
        assertThat(authenticator(null).recheckCost(REALM, session)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(api.reviewedAudiences).hasSize(1);
    }

    @Test
    void theServiceAccountUserNameFormMustNameTheTokensServiceAccount() {
        Bound authenticator = authenticator(enabled());
        String token = builderToken();
        assertThat(identity(authenticator.authenticate(REALM, new Credentials("system:serviceaccount:ci:builder", token)))).isEqualTo(BUILDER);
        // Basic auth splits "system:serviceaccount:ci:builder:<token>" at its first ':'.
        assertThat(identity(authenticator.authenticate(REALM, new Credentials("system", "serviceaccount:ci:builder:" + token)))).isEqualTo(BUILDER);
        AuthResult other = authenticator.authenticate(REALM, new Credentials("system:serviceaccount:ci:deployer", token));
        assertThat(other).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.authenticate(REALM, new Credentials("system", "serviceaccount:prod:builder:" + token)))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        Bound authenticator = authenticator(enabled());
        // The pod's default token is bound to the API server, not to the registry.
        String apiToken = api.issue("ci", "builder", List.of(FakeApiServer.API_AUDIENCE), NOW.plus(Duration.ofHours(1)));
        AuthResult result = authenticator.authenticate(REALM, new Credentials("x", apiToken));
        assertThat(result).isEqualTo(new AuthResult.Rejected(
                "service-account token was not accepted for audience " + SERVICE));
        assertThat(((AuthResult.Rejected) result).reason()).doesNotContain(apiToken);
    }

    @Test
    void configuredAudiencesReplaceTheService() {
        Bound authenticator = authenticator(
                new ServiceAccountLogin(List.of("registry", "ci-registry"), false));
        String forCi = api.issue("ci", "builder", List.of("ci-registry"), NOW.plus(Duration.ofHours(1)));
        assertThat(identity(authenticator.authenticate(REALM, new Credentials("x", forCi)))).isEqualTo(BUILDER);
        assertThat(authenticator.authenticate(REALM, new Credentials("x", builderToken())))
                .isInstanceOf(AuthResult.Rejected.class);
        assertThat(api.reviewedAudiences).allSatisfy(a -> assertThat(a).containsExactly("registry", "ci-registry"));
    }

    @Test
    void anAnswerWithoutAConfiguredAudienceIsRefused() {
        try (FakeApiServer lax = new FakeApiServer(NOW, false)) {
            // An API server (or a proxy) that says "authenticated" but not for which audience.
            lax.server.expect().post().withPath(FakeApiServer.REVIEWS).andReturn(201,
                    "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"status\":{"
                            + "\"authenticated\":true,\"user\":{\"username\":\"system:serviceaccount:ci:builder\"}}}")
                    .always();
            Bound authenticator = authenticator(lax, ServiceAccountAuthenticator.Settings.defaults().withClock(clock));
            assertThat(authenticator.authenticate(REALM, new Credentials("x", builderToken())))
                    .isInstanceOf(AuthResult.Rejected.class);
        }
    }

    @Test
    void anExpiredTokenIsRefused() {
        Bound authenticator = authenticator(enabled());
        String token = api.issue("ci", "builder", List.of(SERVICE), NOW.plus(Duration.ofMinutes(10)));
        // The API server's clock is past the token's exp (ours is not): its review says unauthenticated.
        api.now = NOW.plus(Duration.ofMinutes(11));
        assertThat(authenticator.authenticate(REALM, new Credentials("x", token)))
                .isEqualTo(new AuthResult.Rejected("service-account token was not accepted for audience " + SERVICE));
        // Past exp by our own clock too: refused without asking.
        int asked = api.reviewedAudiences.size();
        clock.set(NOW.plus(Duration.ofMinutes(10)));
        assertThat(authenticator.authenticate(REALM, new Credentials("x", token)))
                .isEqualTo(new AuthResult.Rejected("service-account token has expired"));
        assertThat(api.reviewedAudiences).hasSize(asked);
    }

    @Test
    void reviewsAreCachedWithinTheTokensLifetimeOnly() {
        Bound authenticator = authenticator(enabled(),
                ServiceAccountAuthenticator.Settings.defaults().withCacheTtl(Duration.ofMinutes(5)));
        String token = api.issue("ci", "builder", List.of(SERVICE), NOW.plus(Duration.ofMinutes(2)));
        Credentials credentials = new Credentials("x", token);
        assertThat(identity(authenticator.authenticate(REALM, credentials))).isEqualTo(BUILDER);
        clock.set(NOW.plus(Duration.ofMinutes(1)));
        assertThat(identity(authenticator.authenticate(REALM, credentials))).isEqualTo(BUILDER);
        assertThat(api.reviewedAudiences).hasSize(1);
        assertThat(authenticator.cachedReviews()).isEqualTo(1);

        // A cached review ends with its cache time: the next login asks again and sees the deletion.
        Bound shortCache = authenticator(enabled(),
                ServiceAccountAuthenticator.Settings.defaults().withCacheTtl(Duration.ofSeconds(30)));
        String longToken = builderToken();
        clock.set(NOW);
        assertThat(shortCache.authenticate(REALM, new Credentials("x", longToken))).isInstanceOf(AuthResult.Admitted.class);
        api.deleteServiceAccount("ci", "builder");
        clock.set(NOW.plusSeconds(29));
        assertThat(shortCache.authenticate(REALM, new Credentials("x", longToken))).isInstanceOf(AuthResult.Admitted.class);
        clock.set(NOW.plusSeconds(30));
        assertThat(shortCache.authenticate(REALM, new Credentials("x", longToken))).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void aSessionEndsWhenTheServiceAccountIsDeletedOrRecreated() {
        Bound authenticator = authenticator(enabled());
        Session session = session(authenticator.authenticate(REALM, new Credentials("x", builderToken())));
        assertThat(session.binding().credential()).isEqualTo(api.uid("ci", "builder"));
        assertThat(session.binding().notAfter()).as("no longer than the token").isEqualTo(NOW.plus(Duration.ofHours(1)));

        assertThat(identity(authenticator.recheck(REALM, session))).isEqualTo(BUILDER);
        api.deleteServiceAccount("ci", "builder");
        assertThat(authenticator.recheck(REALM, session))
                .isEqualTo(new AuthResult.Rejected("service account no longer exists"));
        api.createServiceAccount("ci", "builder");
        assertThat(authenticator.recheck(REALM, session))
                .isEqualTo(new AuthResult.Rejected("service account was recreated; log in with a new token"));

        Session asUser = new Session(new Identity("ci:builder", Set.of(), "serviceaccount", SubjectKind.USER),
                NOW, NOW.plusSeconds(600), session.binding());
        assertThat(authenticator.recheck(REALM, asUser)).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator(null).recheck(REALM, session)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void anUnreachableApiServerMakesLoginsUnavailable() {
        Bound authenticator = authenticator(enabled());
        String token = builderToken();
        api.server.destroy();
        long start = System.nanoTime();
        AuthResult result = authenticator.authenticate(REALM, new Credentials("x", token));
        assertThat(result).isEqualTo(new AuthResult.Unavailable("could not reach the Kubernetes API server"));
        Session session = new Session(BUILDER, NOW, NOW.plusSeconds(600), SessionBinding.credential("some-uid"));
        assertThat(authenticator.recheck(REALM, session)).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aSlowApiServerMakesLoginsUnavailableAfterTheTimeout() {
        try (FakeApiServer slow = new FakeApiServer(NOW, false)) {
            slow.server.expect().post().delay(5, TimeUnit.SECONDS).withPath(FakeApiServer.REVIEWS)
                    .andReturn(201, "{}").always();
            Bound authenticator = authenticator(slow, ServiceAccountAuthenticator.Settings.defaults()
                    .withRequestTimeout(Duration.ofMillis(300)).withClock(clock));
            long start = System.nanoTime();
            AuthResult result = authenticator.authenticate(REALM, new Credentials("x", builderToken()));
            assertThat(result).isEqualTo(new AuthResult.Unavailable("the Kubernetes API server did not answer in time"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void missingRbacIsUnavailableNotAWrongPassword() {
        try (FakeApiServer forbidding = new FakeApiServer(NOW, false)) {
            forbidding.server.expect().post().withPath(FakeApiServer.REVIEWS).andReturn(403,
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                            + "\"code\":403}").always();
            Bound authenticator = authenticator(forbidding, ServiceAccountAuthenticator.Settings.defaults().withClock(clock));
            assertThat(authenticator.authenticate(REALM, new Credentials("x", builderToken()))).isEqualTo(
                    new AuthResult.Unavailable("the operator may not create tokenreviews (check its RBAC)"));
        }
    }

    @Test
    void legacySecretTokensAreRefusedUnlessAllowed() {
        String legacy = api.issueLegacy("ci", "builder");
        AuthResult refused = authenticator(enabled()).authenticate(REALM, new Credentials("x", legacy));
        assertThat(refused).isInstanceOf(AuthResult.Rejected.class);
        assertThat(((AuthResult.Rejected) refused).reason()).startsWith("legacy service-account tokens are not accepted");
        // A token without exp is legacy whatever its claims say.
        String noExp = FakeApiServer.jws("{\"aud\":[\"" + SERVICE + "\"],\"sub\":\"system:serviceaccount:ci:builder\"}");
        assertThat(authenticator(enabled()).authenticate(REALM, new Credentials("x", noExp)))
                .isInstanceOf(AuthResult.Rejected.class);
        assertThat(api.reviewedAudiences).isEmpty();

        Bound allowing = authenticator(new ServiceAccountLogin(List.of(), true));
        assertThat(identity(allowing.authenticate(REALM, new Credentials("x", legacy)))).isEqualTo(BUILDER);
        // Asked without audiences: the API server accepts legacy tokens only for its own.
        assertThat(api.reviewedAudiences).containsExactly(List.of());
    }

    @Test
    void otherCredentialsAreNotClaimed() {
        Bound authenticator = authenticator(enabled());
        String oidcUser = FakeApiServer.jws("{\"aud\":\"registry\",\"exp\":" + NOW.plusSeconds(600).getEpochSecond()
                + ",\"iss\":\"https://idp.example\",\"sub\":\"alice\"}");
        for (String password : new String[] {"wonderland", "", "a.b.c", "not.base64!.x", oidcUser,
                FakeApiServer.jws("{\"sub\":\"system:serviceaccount:ci\"}"),
                FakeApiServer.jws("{\"sub\":\"system:serviceaccount:ci:builder:extra\"}")}) {
            assertThat(authenticator.claim(REALM, new Credentials("alice", password))).as(password)
                    .isEqualTo(Authenticator.Claim.NONE);
        }
        assertThat(authenticator.claim(REALM, new Credentials("alice", builderToken()))).isEqualTo(Authenticator.Claim.OWNS);
        // A realm without service-account login claims no token; nobody else will take it either.
        Bound disabled = authenticator(null);
        assertThat(disabled.claim(REALM, new Credentials("x", builderToken()))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(api.reviewedAudiences).isEmpty();
    }

    /** A clock the test sets. */
}
