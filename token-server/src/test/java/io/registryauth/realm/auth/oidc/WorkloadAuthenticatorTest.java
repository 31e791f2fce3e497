package io.registryauth.realm.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.auth.RefreshTokens;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.policy.SubjectKind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkloadAuthenticatorTest {
    private FakeIdentityProvider ci;
    private MutableClock clock;
    private WorkloadAuthenticator authenticator;
    private WorkloadProvider provider;
    private RealmConfig realm;

    @BeforeEach
    void start() throws Exception {
        ci = new FakeIdentityProvider();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        authenticator = new WorkloadAuthenticator(OidcAuthenticator.Settings.defaults().withClock(clock));
        provider = new WorkloadProvider("github", ci.issuer, List.of(), null, null);
        realm = OidcTestRealms.realm().with(new WorkloadProvider.Providers(List.of(provider)));
    }

    @AfterEach
    void stop() {
        ci.close();
    }

    /** A GitHub-shaped job token from the fake issuer, expiring in five minutes as GitHub's do. */
    private String jobToken(Consumer<JWTClaimsSet.Builder> extra) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ci.issuer)
                .subject("repo:acme/app:ref:refs/heads/main").audience(OidcTestRealms.SERVICE)
                .claim("repository", "acme/app").claim("repository_owner_id", "1001").claim("ref", "refs/heads/main")
                .claim("run_id", "42").claim("ref_protected", "true")
                .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plusSeconds(300)));
        extra.accept(claims);
        return FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(ci.rsa.getKeyID()).build(),
                claims.build(), ci.rsa);
    }

    private AuthResult login(String username, String token) {
        return authenticator.authenticate(realm, new Credentials(username, token));
    }

    @Test
    void jobTokenIsAdmittedUnderAnyUsernameAsAWorkloadWithItsClaims() {
        String token = jobToken(c -> c.claim("nested", Map.of("a", "b")).claim("list", List.of("x")));
        assertThat(authenticator.claim(realm, new Credentials("ci", token))).isEqualTo(Authenticator.Claim.OWNS);
        for (String username : List.of("ci", "oauth2accesstoken", "robot$ns$x", "anything")) {
            Identity identity = OidcTestRealms.identity(login(username, token));
            assertThat(identity.kind()).isEqualTo(SubjectKind.WORKLOAD);
            assertThat(identity.name()).isEqualTo("github:repo:acme/app:ref:refs/heads/main");
            assertThat(identity.authenticator()).isEqualTo("workload:github");
            assertThat(identity.groups()).isEmpty();
            // Scalars are kept; objects, arrays and the token's own times and audience are not.
            assertThat(identity.claims()).containsEntry("repository", "acme/app").containsEntry("run_id", "42")
                    .containsKey("iss").doesNotContainKeys("nested", "list", "aud", "exp", "iat");
        }
    }

    @Test
    void audienceIsRequiredAndDefaultsToTheService() {
        assertThat(login("ci", jobToken(c -> c.audience("https://github.com/acme"))))
                .isEqualTo(new AuthResult.Rejected("token is not meant for this registry (audience)"));
        assertThat(login("ci", jobToken(c -> c.audience((String) null))))
                .isEqualTo(new AuthResult.Rejected("token is not meant for this registry (audience)"));
        provider = new WorkloadProvider("github", ci.issuer, List.of("https://github.com/acme"), null, null);
        realm = realm.with(new WorkloadProvider.Providers(List.of(provider)));
        assertThat(login("ci", jobToken(c -> c.audience("https://github.com/acme"))))
                .isInstanceOf(AuthResult.Admitted.class);
    }

    @Test
    void expiredTokenIsRefusedOnceItsLifetimeAndTheLeewayAreOver() {
        String token = jobToken(c -> { });
        clock.advance(Duration.ofSeconds(300 + 31));
        assertThat(login("ci", token)).isEqualTo(new AuthResult.Rejected("token expired"));
    }

    @Test
    void forgedAndForeignTokensAreRefusedOrNotOwned() {
        String foreign = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(ci.rsa.getKeyID())
                .build(), new JWTClaimsSet.Builder().issuer("https://token.actions.example").subject("x")
                .audience(OidcTestRealms.SERVICE).expirationTime(Date.from(clock.instant().plusSeconds(60))).build(), ci.rsa);
        assertThat(authenticator.claim(realm, new Credentials("ci", foreign))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(authenticator.claim(realm, new Credentials("ci", "not-a-jwt"))).isEqualTo(Authenticator.Claim.NONE);

        String other = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(ci.rsa.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ci.issuer).subject("x").audience(OidcTestRealms.SERVICE)
                        .expirationTime(Date.from(clock.instant().plusSeconds(60))).build(),
                FakeIdentityProvider.generateRsa(ci.rsa.getKeyID()));
        assertThat(login("ci", other)).isEqualTo(new AuthResult.Rejected("token signature is not valid"));
    }

    @Test
    void tokensWithTooManyOrTooLongClaimsAreRefusedNotTrimmed() {
        assertThat(login("ci", jobToken(c -> {
            for (int i = 0; i < 70; i++) {
                c.claim("c" + i, "v");
            }
        }))).isEqualTo(new AuthResult.Rejected("token has more than 64 claims"));
        assertThat(login("ci", jobToken(c -> c.claim("ref", "r".repeat(2000)))))
                .isEqualTo(new AuthResult.Rejected("token claim ref is longer than 1024 characters"));
    }

    @Test
    void sessionLastsTheProvidersSessionMaxAgeAndCarriesTheClaims() {
        AuthResult.Admitted login = (AuthResult.Admitted) login("ci", jobToken(c -> { }));
        assertThat(login.binding().notAfter()).isEqualTo(clock.instant().plus(WorkloadProvider.DEFAULT_SESSION_MAX_AGE));
        assertThat(login.binding().remoteToken()).isNull();

        String refresh = RefreshTokens.issue(realm, login.identity(), login.binding(), clock.instant()).orElseThrow();
        assertThat(refresh).doesNotContain("acme");
        Session session = RefreshTokens.open(realm, refresh, clock.instant().plus(Duration.ofMinutes(59))).orElseThrow();
        assertThat(session.identity()).isEqualTo(login.identity());
        assertThat(authenticator.recheck(realm, session)).isEqualTo(new AuthResult.Admitted(login.identity(),
                session.binding()));
        assertThat(RefreshTokens.open(realm, refresh, clock.instant().plus(Duration.ofMinutes(60)))).isEmpty();

        // The provider's audience changed or the provider went away: the session ends.
        RealmConfig changed = realm.with(new WorkloadProvider.Providers(List.of(
                new WorkloadProvider("github", ci.issuer, List.of("other"), null, null))));
        assertThat(authenticator.recheck(changed, session)).isInstanceOf(AuthResult.Rejected.class);
        RealmConfig removed = realm.with(new WorkloadProvider.Providers(List.of()));
        assertThat(authenticator.recheck(removed, session)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void zeroSessionMaxAgeEndsTheSessionWithTheIdToken() {
        provider = new WorkloadProvider("github", ci.issuer, List.of(), null, Duration.ZERO);
        realm = realm.with(new WorkloadProvider.Providers(List.of(provider)));
        AuthResult.Admitted login = (AuthResult.Admitted) login("ci", jobToken(c -> { }));
        assertThat(login.binding().notAfter()).isEqualTo(clock.instant().plusSeconds(300));
    }

    @Test
    void aValidatedTokenIsCheapTheNextTime() {
        String token = jobToken(c -> { });
        Credentials credentials = new Credentials("ci", token);
        assertThat(authenticator.cost(realm, credentials)).isEqualTo(Authenticator.Cost.REMOTE);
        login("ci", token);
        assertThat(authenticator.cost(realm, credentials)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(ci.jwksCalls.get()).isEqualTo(1);
        login("ci", jobToken(c -> c.audience("elsewhere")));
        assertThat(authenticator.metrics()).extracting(m -> m.name() + "=" + m.value().getAsLong())
                .containsExactly("registry_auth_workload_logins_total=1", "registry_auth_workload_refusals_total=1");
    }
}
