package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.TestRealms;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefreshTokensTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.400Z");
    private static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");
    private static final Identity ALICE = new Identity("alice", Set.of("developers", "ops"), "htpasswd", SubjectKind.USER);
    private static final SessionBinding BOUND = SessionBinding.credential("fingerprint-of-alices-hash");

    private final RealmConfig realm = TestRealms.realm(Map.of());

    private String issue(Identity identity, SessionBinding binding) {
        return RefreshTokens.issue(realm, identity, binding, NOW).orElseThrow();
    }

    @Test
    void roundTripKeepsTheWholeSessionGroupsIncluded() {
        Session session = RefreshTokens.open(realm, issue(ALICE, BOUND), NOW.plusSeconds(60)).orElseThrow();

        assertThat(session.identity()).isEqualTo(ALICE);
        assertThat(session.startedAt()).isEqualTo(IAT);
        assertThat(session.expiresAt()).isEqualTo(IAT.plus(TestRealms.REFRESH_TTL));
        assertThat(session.binding().credential()).isEqualTo("fingerprint-of-alices-hash");
        assertThat(session.binding().remoteToken()).isNull();
        assertThat(session.age(NOW.plusSeconds(60))).isEqualTo(Duration.ofMillis(60_400));
    }

    @Test
    void keepsTheKindOfServiceAccountsAndRobots() {
        Identity sa = new Identity("team-a:builder", Set.of("system:serviceaccounts"), "serviceaccount",
                SubjectKind.SERVICE_ACCOUNT);
        Identity robot = new Identity("robot$team-a$ci", Set.of(), "robot", SubjectKind.ROBOT);

        assertThat(RefreshTokens.open(realm, issue(sa, BOUND), NOW).orElseThrow().identity()).isEqualTo(sa);
        assertThat(RefreshTokens.open(realm, issue(robot, BOUND), NOW).orElseThrow().identity()).isEqualTo(robot);
    }

    @Test
    void carriesAProviderTokenThatTheHolderCannotRead() {
        String providerToken = "provider-access-token-" + "q".repeat(40);
        SessionBinding binding = new SessionBinding("issuer-fingerprint", providerToken, NOW.plusSeconds(300),
                NOW.plus(Duration.ofHours(12)));
        String token = issue(ALICE, binding);

        Session session = RefreshTokens.open(realm, token, NOW).orElseThrow();
        assertThat(session.binding().remoteToken()).isEqualTo(providerToken);
        assertThat(session.binding().remoteTokenExpiresAt()).isEqualTo(Instant.ofEpochSecond(NOW.plusSeconds(300).getEpochSecond()));
        // Five parts of base64url, none of which decodes to anything holding the token, the name or a group.
        assertThat(token.split("\\.", -1)).hasSize(5);
        for (String part : token.split("\\.", -1)) {
            String decoded = new String(Base64.getUrlDecoder().decode(part), StandardCharsets.ISO_8859_1);
            assertThat(decoded).doesNotContain(providerToken).doesNotContain("alice").doesNotContain("developers");
        }
    }

    @Test
    void endsAtTheSourcesLimitWhenThatComesFirst() {
        SessionBinding short_ = new SessionBinding(null, null, null, NOW.plus(Duration.ofHours(1)));
        String token = issue(ALICE, short_);

        assertThat(RefreshTokens.open(realm, token, NOW.plus(Duration.ofMinutes(59))).orElseThrow().expiresAt())
                .isEqualTo(IAT.plus(Duration.ofHours(1)));
        assertThat(RefreshTokens.open(realm, token, NOW.plus(Duration.ofMinutes(61)))).isEmpty();
        assertThat(RefreshTokens.issue(realm, ALICE, new SessionBinding(null, null, null, NOW.minusSeconds(1)), NOW))
                .as("no session that would already be over").isEmpty();
    }

    @Test
    void expiresAtExp() {
        String token = issue(ALICE, BOUND);
        Instant exp = IAT.plus(TestRealms.REFRESH_TTL);

        assertThat(RefreshTokens.open(realm, token, exp.minusSeconds(1))).isPresent();
        assertThat(RefreshTokens.open(realm, token, exp)).isEmpty();
        assertThat(RefreshTokens.open(realm, token, exp.plus(Duration.ofDays(1)))).isEmpty();
    }

    @Test
    void refusesATokenForAnotherServiceOrIssuerEvenUnderTheSameKey() {
        String token = issue(ALICE, BOUND);
        KeyRing keys = KeyRing.of(TestRealms.es256());

        assertThat(RefreshTokens.open(TestRealms.realm("other.example.com", TestRealms.ISSUER, keys, Map.of()), token, NOW))
                .isEmpty();
        assertThat(RefreshTokens.open(TestRealms.realm(TestRealms.SERVICE, "someone-else", keys, Map.of()), token, NOW))
                .isEmpty();
    }

    @Test
    void opensWithEveryKeyTheRealmStillHoldsAndNoOther() {
        String underOld = issue(ALICE, BOUND);
        byte[] newKey = TestRealms.refreshKey('z');
        RealmConfig rotated = realm.withRefreshTokenKeys(List.of(newKey, realm.refreshTokenKey()));
        RealmConfig oldKeyDropped = realm.withRefreshTokenKeys(List.of(newKey));

        assertThat(RefreshTokens.open(rotated, underOld, NOW)).isPresent();
        assertThat(RefreshTokens.open(oldKeyDropped, underOld, NOW)).isEmpty();
        String underNew = RefreshTokens.issue(rotated, ALICE, BOUND, NOW).orElseThrow();
        assertThat(RefreshTokens.open(oldKeyDropped, underNew, NOW)).isPresent();
        assertThat(RefreshTokens.open(realm, underNew, NOW)).isEmpty();
    }

    @Test
    void refusesTamperedAndMalformedTokens() {
        String token = issue(ALICE, BOUND);
        String[] parts = token.split("\\.", -1);
        String[] other = issue(new Identity("admin", Set.of("admins"), "htpasswd", SubjectKind.USER), BOUND).split("\\.", -1);

        assertThat(RefreshTokens.open(realm, String.join(".", parts[0], parts[1], parts[2], other[3], parts[4]), NOW))
                .isEmpty();
        assertThat(RefreshTokens.open(realm, String.join(".", parts[0], parts[1], parts[2], parts[3], other[4]), NOW))
                .isEmpty();
        char flipped = parts[3].charAt(3) == 'A' ? 'B' : 'A';
        String tamperedBody = parts[3].substring(0, 3) + flipped + parts[3].substring(4);
        assertThat(RefreshTokens.open(realm, String.join(".", parts[0], parts[1], parts[2], tamperedBody, parts[4]), NOW))
                .isEmpty();
        assertThat(RefreshTokens.open(realm, "not-a-token", NOW)).isEmpty();
        assertThat(RefreshTokens.open(realm, "", NOW)).isEmpty();
        assertThat(RefreshTokens.open(realm, null, NOW)).isEmpty();
        assertThat(RefreshTokens.open(realm, "a.b.c.d.e", NOW)).isEmpty();
        assertThat(RefreshTokens.open(realm, "x".repeat(100_000), NOW)).isEmpty();
    }

    @Test
    void neverAcceptsAnAccessTokenOrTheOldMacedFormat() throws Exception {
        String access = new AccessTokenIssuer().issue(realm, ALICE, List.of(), NOW).token();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(TestRealms.ISSUER).audience(TestRealms.SERVICE)
                .subject("alice").issueTime(Date.from(IAT)).expirationTime(Date.from(NOW.plusSeconds(600)))
                .claim("token_use", "refresh").claim("src", "htpasswd").claim("kind", "USER").build();
        SignedJWT maced = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(new JOSEObjectType("registry-refresh+jwt")).build(), claims);
        maced.sign(new MACSigner(realm.refreshTokenKey()));

        assertThat(RefreshTokens.open(realm, access, NOW)).isEmpty();
        assertThat(RefreshTokens.open(realm, maced.serialize(), NOW)).isEmpty();
    }

    @Test
    void refusesASealedTokenWithoutTheRefreshMarkers() throws Exception {
        String sealed = issue(ALICE, BOUND);
        String keyId = EncryptedJWT.parse(sealed).getHeader().getKeyID();
        JWTClaimsSet withoutUse = new JWTClaimsSet.Builder().issuer(TestRealms.ISSUER).audience(TestRealms.SERVICE)
                .subject("alice").issueTime(Date.from(IAT)).expirationTime(Date.from(NOW.plusSeconds(600)))
                .claim("src", "htpasswd").claim("kind", "USER").build();
        JWTClaimsSet unknownKind = new JWTClaimsSet.Builder(withoutUse).claim("token_use", "refresh")
                .claim("kind", "ROOT").build();

        assertThat(RefreshTokens.open(realm, seal(withoutUse, keyId, new JOSEObjectType("registry-refresh+jwt")), NOW))
                .isEmpty();
        assertThat(RefreshTokens.open(realm, seal(unknownKind, keyId, new JOSEObjectType("registry-refresh+jwt")), NOW))
                .isEmpty();
        JWTClaimsSet good = new JWTClaimsSet.Builder(withoutUse).claim("token_use", "refresh").build();
        assertThat(RefreshTokens.open(realm, seal(good, keyId, JOSEObjectType.JWT), NOW)).as("wrong typ").isEmpty();
        assertThat(RefreshTokens.open(realm, seal(good, keyId, new JOSEObjectType("registry-refresh+jwt")), NOW))
                .as("the same token with the markers opens").isPresent();
    }

    /** Seals claims the way the realm does, with the realm's key: only the claims decide. */
    private String seal(JWTClaimsSet claims, String keyId, JOSEObjectType type) throws Exception {
        EncryptedJWT jwt = new EncryptedJWT(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .type(type).keyID(keyId).build(), claims);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update("registry-auth refresh token v2".getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(realm.refreshTokenKey());
        jwt.encrypt(new com.nimbusds.jose.crypto.DirectEncrypter(sha.digest()));
        return jwt.serialize();
    }
}
