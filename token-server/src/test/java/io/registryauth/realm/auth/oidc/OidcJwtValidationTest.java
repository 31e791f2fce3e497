package io.registryauth.realm.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.policy.SubjectKind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OidcJwtValidationTest {
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
        provider = OidcTestRealms.jwks("corp", idp.issuer);
        realm = OidcTestRealms.realm(provider);
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private Instant inMinutes(long minutes) {
        return clock.instant().plus(Duration.ofMinutes(minutes));
    }

    private AuthResult login(String username, String token) {
        return authenticator.authenticate(realm, new Credentials(username, token));
    }

    private Authenticator.Claim claim(String username, String password) {
        return authenticator.claim(realm, new Credentials(username, password));
    }

    private static String reason(AuthResult result) {
        assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        return ((AuthResult.Rejected) result).reason();
    }

    @Test
    void validTokenIsAdmittedWithItsGroups() {
        String token = idp.token("alice", inMinutes(5), c -> c.claim("groups", List.of("developers", "ops")));

        AuthResult result = login("alice", token);

        assertThat(OidcTestRealms.identity(result)).isEqualTo(new Identity("alice", Set.of("developers", "ops"),
                "oidc:corp", SubjectKind.USER));
        assertThat(idp.discoveryCalls).hasValue(1);
        assertThat(idp.jwksCalls).hasValue(1);
    }

    @Test
    void ecTokensAndNestedGroupClaimsWithPrefixes() {
        provider = new OidcProvider("corp", idp.issuer, List.of(), "preferred_username", "realm_access.roles", "corp:",
                Set.of(), null, null, Duration.ofMinutes(5));
        realm = OidcTestRealms.realm(provider);
        String token = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
                new JWTClaimsSet.Builder().issuer(idp.issuer).audience(OidcTestRealms.SERVICE).claim("preferred_username", "alice")
                        .expirationTime(Date.from(inMinutes(5)))
                        .claim("realm_access", Map.of("roles", List.of("pushers"))).build(), idp.ec);

        assertThat(OidcTestRealms.identity(login("corp:alice", token))).isEqualTo(new Identity("corp:alice", Set.of("corp:pushers"), "oidc:corp", SubjectKind.USER));
        assertThat(login("alice", token)).isInstanceOf(AuthResult.Admitted.class);
    }

    @Test
    void singleStringGroupClaimCounts() {
        String token = idp.token("alice", inMinutes(5), c -> c.claim("groups", "developers"));

        assertThat(OidcTestRealms.identity(login("alice", token))).isEqualTo(new Identity("alice", Set.of("developers"), "oidc:corp", SubjectKind.USER));
    }

    @Test
    void expiredTokenIsRefusedPastTheLeeway() {
        String withinLeeway = idp.token("alice", clock.instant().minusSeconds(20), c -> { });
        String expired = idp.token("alice", clock.instant().minusSeconds(40), c -> { });

        assertThat(login("alice", withinLeeway)).isInstanceOf(AuthResult.Admitted.class);
        assertThat(reason(login("alice", expired))).isEqualTo("token expired");
    }

    @Test
    void tokenWithoutExpiryIsRefused() {
        String token = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                new JWTClaimsSet.Builder().issuer(idp.issuer).audience(OidcTestRealms.SERVICE).claim("preferred_username", "alice").build(), idp.rsa);

        assertThat(reason(login("alice", token))).isEqualTo("token has no expiry");
    }

    @Test
    void notYetValidTokenIsRefused() {
        String token = idp.token("alice", inMinutes(10), c -> c.notBeforeTime(Date.from(inMinutes(2))));

        assertThat(reason(login("alice", token))).isEqualTo("token is not valid yet");
    }

    @Test
    void tokenOfAnotherIssuerIsNotThisAuthenticatorsBusiness() {
        String token = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                new JWTClaimsSet.Builder().issuer("https://elsewhere.example/realms/test")
                        .claim("preferred_username", "alice").expirationTime(Date.from(inMinutes(5))).build(), idp.rsa);

        assertThat(authenticator.claim(realm, new Credentials("alice", token))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(idp.jwksCalls).hasValue(0);
    }

    @Test
    void audienceIsCheckedWhenConfigured() {
        provider = new OidcProvider("corp", idp.issuer, List.of("registry"), "preferred_username", "groups", "",
                Set.of(), null, null, Duration.ofMinutes(5));
        realm = OidcTestRealms.realm(provider);

        assertThat(login("alice", idp.token("alice", inMinutes(5), c -> c.audience(List.of("account", "registry")))))
                .isInstanceOf(AuthResult.Admitted.class);
        assertThat(reason(login("alice", idp.token("alice", inMinutes(5), c -> c.audience("account")))))
                .isEqualTo("token is not meant for this registry (audience)");
        assertThat(reason(login("alice", idp.token("alice", inMinutes(5), c -> { }))))
                .isEqualTo("token is not meant for this registry (audience)");
    }

    @Test
    void tamperedTokenIsRefused() throws Exception {
        String token = idp.token("bob", inMinutes(5), c -> c.claim("groups", List.of("developers")));
        SignedJWT original = SignedJWT.parse(token);
        String forgedClaims = Base64URL.encode(new JWTClaimsSet.Builder(original.getJWTClaimsSet())
                .claim("preferred_username", "alice").build().toString()).toString();
        String tampered = original.getHeader().toBase64URL() + "." + forgedClaims + "." + original.getSignature();

        assertThat(reason(login("alice", tampered))).isEqualTo("token signature is not valid");
    }

    @Test
    void unsignedTokenIsRefused() {
        String token = new PlainJWT(new JWTClaimsSet.Builder().issuer(idp.issuer).audience(OidcTestRealms.SERVICE).claim("preferred_username", "alice")
                .expirationTime(Date.from(inMinutes(5))).build()).serialize();

        assertThat(reason(login("alice", token))).isEqualTo("unsigned tokens are not accepted");
        assertThat(idp.jwksCalls).hasValue(0);
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() throws Exception {
        // The classic confusion attack: HS256 keyed with the bytes of the provider's public key.
        byte[] publicKey = idp.rsa.toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                new JWTClaimsSet.Builder().issuer(idp.issuer).audience(OidcTestRealms.SERVICE).claim("preferred_username", "alice")
                        .expirationTime(Date.from(inMinutes(5))).build());
        jwt.sign(new MACSigner(publicKey));

        assertThat(reason(login("alice", jwt.serialize()))).isEqualTo("token algorithm HS256 is not accepted");
    }

    @Test
    void unknownKeyTriggersOneRefetchThenTheFloorHolds() {
        assertThat(login("alice", idp.token("alice", inMinutes(5), c -> { }))).isInstanceOf(AuthResult.Admitted.class);
        assertThat(idp.jwksCalls).hasValue(1);

        RSAKey rotated = FakeIdentityProvider.generateRsa("rsa-2");
        String signedWithNewKey = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-2").build(),
                new JWTClaimsSet.Builder().issuer(idp.issuer).audience(OidcTestRealms.SERVICE).claim("preferred_username", "alice")
                        .expirationTime(Date.from(inMinutes(5))).build(), rotated);

        // Not yet published, and the last fetch was just now: refused without asking the provider.
        assertThat(reason(login("alice", signedWithNewKey)))
                .isEqualTo("token is signed with a key the identity provider does not publish");
        assertThat(idp.jwksCalls).hasValue(1);

        idp.published.add(rotated.toPublicJWK());
        clock.advance(Duration.ofSeconds(31));
        assertThat(login("alice", signedWithNewKey)).isInstanceOf(AuthResult.Admitted.class);
        assertThat(idp.jwksCalls).hasValue(2);

        // A flood of forged key ids costs at most one fetch per floor.
        String forged = FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope").build(),
                new JWTClaimsSet.Builder().issuer(idp.issuer).audience(OidcTestRealms.SERVICE).claim("preferred_username", "alice")
                        .expirationTime(Date.from(inMinutes(5))).build(), rotated);
        for (int i = 0; i < 20; i++) {
            assertThat(login("alice", forged)).isInstanceOf(AuthResult.Rejected.class);
        }
        assertThat(idp.jwksCalls).hasValue(2);
    }

    @Test
    void usernameMustBeTheTokensUser() {
        String token = idp.token("alice", inMinutes(5), c -> { });

        assertThat(reason(login("bob", token))).isEqualTo("username does not match the token's user");
        assertThat(reason(login("", token))).isEqualTo("username does not match the token's user");
        assertThat(reason(login("alice", idp.token("bob", inMinutes(5), c -> { }))))
                .isEqualTo("username does not match the token's user");
    }

    @Test
    void fixedUsernameMayStandInForTheTokensUser() {
        provider = new OidcProvider("corp", idp.issuer, List.of(), "preferred_username", "groups", "",
                Set.of("oauth2accesstoken"), null, null, Duration.ofMinutes(5));
        realm = OidcTestRealms.realm(provider);

        AuthResult result = login("oauth2accesstoken", idp.token("alice", inMinutes(5), c -> { }));

        assertThat(result).isInstanceOf(AuthResult.Admitted.class);
        assertThat(((AuthResult.Admitted) result).identity().name()).isEqualTo("alice");
    }

    @Test
    void audienceIsTheRealmsServiceByDefault() {
        assertThat(provider.audiences()).isEmpty();
        assertThat(reason(login("alice", idp.token("alice", inMinutes(5), c -> c.audience("another-client")))))
                .isEqualTo("token is not meant for this registry (audience)");
        assertThat(reason(login("alice", idp.token("alice", inMinutes(5), c -> c.audience((String) null)))))
                .isEqualTo("token is not meant for this registry (audience)");
        assertThat(login("alice", idp.token("alice", inMinutes(5), c -> c.audience(List.of("account",
                OidcTestRealms.SERVICE))))).isInstanceOf(AuthResult.Admitted.class);
    }

    @Test
    void tokenWithoutTheUsernameClaimIsRefused() {
        String token = idp.token("alice", inMinutes(5), c -> c.claim("preferred_username", null));

        assertThat(reason(login("alice", token))).isEqualTo("token has no preferred_username claim");
    }

    @Test
    void passwordsThatAreNoTokensAreNotClaimed() {
        assertThat(claim("alice", "correct horse battery staple")).isEqualTo(Authenticator.Claim.NONE);
        assertThat(claim("alice", "a.b.c")).isEqualTo(Authenticator.Claim.NONE);
        assertThat(claim("alice", "")).isEqualTo(Authenticator.Claim.NONE);
        // An opaque token has no provider here to go to: none introspects.
        assertThat(claim("alice", "opaque-token-0123456789abcdef")).isEqualTo(Authenticator.Claim.NONE);
        assertThat(authenticator.claim(OidcTestRealms.realm(), new Credentials("alice",
                idp.token("alice", inMinutes(5), c -> { })))).isEqualTo(Authenticator.Claim.NONE);
        assertThat(claim("alice", idp.token("alice", inMinutes(5), c -> { }))).isEqualTo(Authenticator.Claim.OWNS);
        assertThat(idp.discoveryCalls).hasValue(0);
    }

    @Test
    void providerDownAfterKeysWereFetchedStillValidatesLocally() {
        assertThat(login("alice", idp.token("alice", inMinutes(5), c -> { }))).isInstanceOf(AuthResult.Admitted.class);
        idp.stop();

        assertThat(login("alice", idp.token("alice", inMinutes(5), c -> { }))).isInstanceOf(AuthResult.Admitted.class);
    }

    @Test
    void providerDownBeforeAnyKeyIsKnownIsUnavailableNotRejected() {
        String token = idp.token("alice", inMinutes(5), c -> { });
        idp.stop();

        AuthResult result = login("alice", token);

        assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) result).reason()).contains("could not connect to " + idp.issuer)
                .doesNotContain(token);
        // Within the floor the provider is not asked again, and the answer stays a 503-class one.
        assertThat(login("alice", token)).isInstanceOf(AuthResult.Unavailable.class);
    }

    @Test
    void aSessionKeepsTheLoginsGroupsUntilItsEndAndEndsWithTheProvidersConfiguration() {
        AuthResult login = login("alice", idp.token("alice", inMinutes(5), c -> c.claim("groups", List.of("developers"))));
        Session session = OidcTestRealms.session(login, clock.instant());
        assertThat(session.binding().notAfter()).isEqualTo(clock.instant().plus(OidcProvider.DEFAULT_SESSION_MAX_AGE));
        assertThat(session.binding().remoteToken()).as("a JWT provider cannot be asked about a token").isNull();

        clock.advance(Duration.ofHours(2)); // the access token is long gone
        AuthResult rechecked = authenticator.recheck(realm, session);
        assertThat(OidcTestRealms.identity(rechecked))
                .isEqualTo(new Identity("alice", Set.of("developers"), "oidc:corp", SubjectKind.USER));
        assertThat(authenticator.recheckCost(realm, session)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.recheck(OidcTestRealms.realm(), session)).isInstanceOf(AuthResult.Rejected.class);
        OidcProvider moved = new OidcProvider("corp", "https://moved.example/realms/test", List.of(),
                "preferred_username", "groups", "", Set.of(), null, null, Duration.ofMinutes(5));
        assertThat(authenticator.recheck(OidcTestRealms.realm(moved), session)).as("another issuer under the same name")
                .isInstanceOf(AuthResult.Rejected.class);
        assertThat(idp.jwksCalls).hasValue(1);
    }

    @Test
    void aZeroSessionMaxAgeEndsTheSessionWithTheToken() {
        provider = new OidcProvider("corp", idp.issuer, List.of(), "preferred_username", "groups", "", Set.of(), null,
                null, Duration.ofMinutes(5), Duration.ZERO);
        realm = OidcTestRealms.realm(provider);
        AuthResult login = login("alice", idp.token("alice", inMinutes(5), c -> { }));

        assertThat(((AuthResult.Admitted) login).binding().notAfter()).isEqualTo(inMinutes(5));
    }

    @Test
    void usersAndGroupsGetTheProviderPrefixByDefault() {
        provider = new OidcProvider("corp", idp.issuer, List.of(), "preferred_username", "groups", null, Set.of(), null,
                null, null);
        realm = OidcTestRealms.realm(provider);
        String token = idp.token("bob", inMinutes(5), c -> c.claim("groups",
                List.of("admins", "system:serviceaccounts:team-a")));

        assertThat(provider.usernamePrefix()).isEqualTo("corp:");
        assertThat(OidcTestRealms.identity(login("bob", token))).isEqualTo(new Identity("corp:bob",
                Set.of("corp:admins", "corp:system:serviceaccounts:team-a"), "oidc:corp", SubjectKind.USER));
    }

    @Test
    void kubernetesUserNamesAreRefused() {
        String token = idp.token("system:serviceaccount:team-a:builder", inMinutes(5), c -> { });

        assertThat(reason(login("system:serviceaccount:team-a:builder", token)))
                .isEqualTo("user names starting with system: are Kubernetes' own");
    }
}
