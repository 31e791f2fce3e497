package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.TestRealms;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefreshTokensTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.400Z");
    private static final Identity ALICE = new Identity("alice", Set.of("developers"), "htpasswd", SubjectKind.USER);

    private final RealmConfig realm = TestRealms.realm(Map.of());

    @Test
    void roundTripNamesTheIdentityAndItsAuthenticatorWithoutGroups() {
        String token = RefreshTokens.issue(realm, ALICE, NOW);

        assertThat(RefreshTokens.verify(realm, token, NOW.plusSeconds(60)))
                .contains(new Identity("alice", Set.of(), "htpasswd", SubjectKind.USER));
    }

    @Test
    void keepsTheKindOfServiceAccounts() {
        Identity robot = new Identity("team-a:builder", Set.of(), "serviceaccount", SubjectKind.SERVICE_ACCOUNT);

        assertThat(RefreshTokens.verify(realm, RefreshTokens.issue(realm, robot, NOW), NOW)).contains(robot);
    }

    @Test
    void carriesTheRegistryClaimsAndATypeMarker() throws Exception {
        SignedJWT jwt = SignedJWT.parse(RefreshTokens.issue(realm, ALICE, NOW));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("registry-refresh+jwt");
        assertThat(claims.getIssuer()).isEqualTo(TestRealms.ISSUER);
        assertThat(claims.getAudience()).containsExactly(TestRealms.SERVICE);
        assertThat(claims.getSubject()).isEqualTo("alice");
        assertThat(claims.getStringClaim("authn")).isEqualTo("htpasswd");
        assertThat(claims.getStringClaim("kind")).isEqualTo("USER");
        assertThat(claims.getStringClaim("token_use")).isEqualTo("refresh");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(claims.getExpirationTime().toInstant())
                .isEqualTo(Instant.parse("2026-03-01T12:00:00Z").plus(TestRealms.REFRESH_TTL));
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getClaims()).doesNotContainKey("groups");
    }

    @Test
    void expiresAtExp() {
        String token = RefreshTokens.issue(realm, ALICE, NOW);
        Instant exp = Instant.parse("2026-03-01T12:00:00Z").plus(TestRealms.REFRESH_TTL);

        assertThat(RefreshTokens.verify(realm, token, exp.minusSeconds(1))).isPresent();
        assertThat(RefreshTokens.verify(realm, token, exp)).isEmpty();
        assertThat(RefreshTokens.verify(realm, token, exp.plus(Duration.ofDays(1)))).isEmpty();
    }

    @Test
    void refusesATokenForAnotherServiceOrIssuerEvenUnderTheSameKey() {
        String token = RefreshTokens.issue(realm, ALICE, NOW);
        KeyRing keys = KeyRing.of(TestRealms.es256());

        assertThat(RefreshTokens.verify(TestRealms.realm("other.example.com", TestRealms.ISSUER, keys, Map.of()), token, NOW))
                .isEmpty();
        assertThat(RefreshTokens.verify(TestRealms.realm(TestRealms.SERVICE, "someone-else", keys, Map.of()), token, NOW))
                .isEmpty();
    }

    @Test
    void refusesATokenMacedWithAnotherKey() {
        RealmConfig rekeyed = new RealmConfig(realm.id(), realm.service(), realm.issuer(), realm.realmUrl(),
                realm.tokenTtl(), realm.refreshTtl(), realm.keys(), TestRealms.refreshKey('z'), false, Map.of(),
                Policy.empty());

        assertThat(RefreshTokens.verify(rekeyed, RefreshTokens.issue(realm, ALICE, NOW), NOW)).isEmpty();
    }

    @Test
    void refusesTamperedAndMalformedTokens() {
        String token = RefreshTokens.issue(realm, ALICE, NOW);
        String[] parts = token.split("\\.");
        String otherPayload = RefreshTokens.issue(realm, new Identity("admin", Set.of(), "htpasswd", SubjectKind.USER), NOW)
                .split("\\.")[1];

        assertThat(RefreshTokens.verify(realm, parts[0] + "." + otherPayload + "." + parts[2], NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, parts[0] + "." + parts[1] + ".", NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, parts[0] + "." + parts[1], NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, "not-a-token", NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, "", NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, null, NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, "a.b.c", NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, "x".repeat(100_000), NOW)).isEmpty();
    }

    @Test
    void neverAcceptsAnAccessToken() {
        String access = new AccessTokenIssuer().issue(realm, ALICE, List.of(), NOW).token();

        assertThat(RefreshTokens.verify(realm, access, NOW)).isEmpty();
    }

    @Test
    void refusesAMacedTokenWithoutTheRefreshMarkers() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(TestRealms.ISSUER).audience(TestRealms.SERVICE)
                .subject("alice").expirationTime(Date.from(NOW.plusSeconds(600))).claim("authn", "htpasswd")
                .claim("kind", "USER").build();
        SignedJWT plainJwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        plainJwt.sign(new MACSigner(realm.refreshTokenKey()));
        SignedJWT typedWithoutUse = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("registry-refresh+jwt")).build(), claims);
        typedWithoutUse.sign(new MACSigner(realm.refreshTokenKey()));
        JWTClaimsSet badKind = new JWTClaimsSet.Builder(claims).claim("token_use", "refresh").claim("kind", "ROOT").build();
        SignedJWT unknownKind = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("registry-refresh+jwt")).build(), badKind);
        unknownKind.sign(new MACSigner(realm.refreshTokenKey()));

        assertThat(RefreshTokens.verify(realm, plainJwt.serialize(), NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, typedWithoutUse.serialize(), NOW)).isEmpty();
        assertThat(RefreshTokens.verify(realm, unknownKind.serialize(), NOW)).isEmpty();
    }

    @Test
    void refusesUnsignedTokens() {
        String token = RefreshTokens.issue(realm, ALICE, NOW);
        String[] parts = token.split("\\.");
        String noneHeader = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"registry-refresh+jwt\"}".getBytes());

        assertThat(RefreshTokens.verify(realm, noneHeader + "." + parts[1] + ".", NOW)).isEmpty();
    }
}
