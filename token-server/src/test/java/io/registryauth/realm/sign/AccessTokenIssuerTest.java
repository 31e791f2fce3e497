package io.registryauth.realm.sign;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.ResourceScope;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessTokenIssuerTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.750Z");
    private static final Identity ALICE = new Identity("alice", Set.of("dev"), "htpasswd", SubjectKind.USER);
    private static final List<ResourceScope> GRANTED = List.of(
            new ResourceScope("repository", null, "team/app", Set.of("push", "pull")),
            new ResourceScope("repository", "plugin", "plug/in", Set.of("pull")),
            new ResourceScope("registry", null, "catalog", Set.of("*")));

    private final AccessTokenIssuer issuer = new AccessTokenIssuer();

    @Test
    void es256TokenVerifiesAndCarriesTheRegistryClaims() throws Exception {
        SigningKey key = TestRealms.es256();
        RealmConfig realm = realmWith(key);

        AccessTokenIssuer.IssuedToken issued = issuer.issue(realm, ALICE, GRANTED, NOW);

        SignedJWT jwt = SignedJWT.parse(issued.token());
        assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) key.publicKey()))).isTrue();
        assertThat(jwt.getSignature().decode()).hasSize(64);
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("JWT");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(LibtrustKeyId.of(key.publicKey())).isEqualTo(key.kid());

        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(TestRealms.ISSUER);
        assertThat(claims.getSubject()).isEqualTo("alice");
        long iat = NOW.getEpochSecond();
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.ofEpochSecond(iat));
        assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(Instant.ofEpochSecond(iat));
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(Instant.ofEpochSecond(iat + 900));
        assertThat(claims.getJWTID()).matches("[0-9a-f]{32}");
        assertThat(issued.expiresIn()).isEqualTo(900);
        assertThat(issued.issuedAt()).isEqualTo(Instant.ofEpochSecond(iat));

        Map<String, Object> payload = rawPayload(issued.token());
        assertThat(payload.get("aud")).isEqualTo(TestRealms.SERVICE);
        assertThat(payload.get("exp")).isInstanceOf(Long.class).isEqualTo(iat + 900);
        assertThat(payload.get("nbf")).isInstanceOf(Long.class);
        assertThat(payload.get("iat")).isInstanceOf(Long.class).isEqualTo(iat);
        assertThat(payload.get("access")).isEqualTo(List.of(
                Map.of("type", "repository", "name", "team/app", "actions", List.of("pull", "push")),
                Map.of("type", "repository(plugin)", "name", "plug/in", "actions", List.of("pull")),
                Map.of("type", "registry", "name", "catalog", "actions", List.of("*"))));
        // Integers, never floats, and the audience as a single string in the literal text.
        String text = payloadText(issued.token());
        assertThat(text).contains("\"aud\":\"registry.example.com\"", "\"exp\":" + (iat + 900) + ",");
    }

    @Test
    void x5cHoldsTheSigningCertificateInStandardBase64() throws Exception {
        SigningKey key = TestRealms.es256();
        String token = issuer.issue(realmWith(key), ALICE, GRANTED, NOW).token();

        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getX509CertChain()).hasSize(1);
        String x5c = (String) ((List<?>) JSONObjectUtils.parse(jwt.getHeader().toBase64URL().decodeToString())
                .get("x5c")).get(0);
        byte[] der = Base64.getDecoder().decode(x5c);
        assertThat(CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)))
                .isEqualTo(key.certificate());
    }

    @Test
    void kidOnlyIssuerOmitsX5c() throws Exception {
        SigningKey key = TestRealms.es256();
        String token = new AccessTokenIssuer(false).issue(realmWith(key), ALICE, GRANTED, NOW).token();

        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getX509CertChain()).isNull();
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.kid());
        assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) key.publicKey()))).isTrue();
    }

    @Test
    void es384SignaturesAreRaw96Bytes() throws Exception {
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES384, "es384", NOW, Duration.ofDays(1));
        SignedJWT jwt = SignedJWT.parse(issuer.issue(realmWith(key), ALICE, GRANTED, NOW).token());

        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("ES384");
        assertThat(jwt.getSignature().decode()).hasSize(96);
        assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) key.publicKey()))).isTrue();
    }

    @Test
    void rs256TokensVerify() throws Exception {
        SigningKey key = SigningKey.generate(SigningAlgorithm.RS256, "rs256", NOW, Duration.ofDays(1));
        SignedJWT jwt = SignedJWT.parse(issuer.issue(realmWith(key), ALICE, GRANTED, NOW).token());

        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.kid());
        assertThat(jwt.getSignature().decode()).hasSize(256);
        assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) key.publicKey()))).isTrue();
    }

    @Test
    void tokensSignedOnManyThreadsAtOnceAllVerify() throws Exception {
        // Each thread signs with a signature object of its own: none may see another's half-fed input.
        for (SigningAlgorithm algorithm : SigningAlgorithm.values()) {
            SigningKey key = SigningKey.generate(algorithm, "threads", NOW, Duration.ofDays(1));
            RealmConfig realm = realmWith(key);
            JWSVerifier verifier = algorithm == SigningAlgorithm.RS256
                    ? new RSASSAVerifier((RSAPublicKey) key.publicKey())
                    : new ECDSAVerifier((ECPublicKey) key.publicKey());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> tokens = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    Identity who = new Identity("user-" + i, Set.of(), "htpasswd", SubjectKind.USER);
                    tokens.add(pool.submit(() -> issuer.issue(realm, who, GRANTED, NOW).token()));
                }
                for (int i = 0; i < tokens.size(); i++) {
                    SignedJWT jwt = SignedJWT.parse(tokens.get(i).get(30, TimeUnit.SECONDS));
                    assertThat(jwt.verify(verifier)).as(algorithm + " token " + i).isTrue();
                    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("user-" + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void signsWithTheActiveKeyOfTheRing() throws Exception {
        SigningKey active = SigningKey.generate(SigningAlgorithm.ES256, "new", NOW, Duration.ofDays(1));
        SigningKey retiring = TestRealms.es256();
        RealmConfig realm = TestRealms.realm(TestRealms.SERVICE, TestRealms.ISSUER, KeyRing.of(active, retiring), Map.of());

        SignedJWT jwt = SignedJWT.parse(issuer.issue(realm, ALICE, GRANTED, NOW).token());

        assertThat(jwt.getHeader().getKeyID()).isEqualTo(active.kid());
        assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) active.publicKey()))).isTrue();
        assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) retiring.publicKey()))).isFalse();
    }

    @Test
    void anonymousTokensHaveAnEmptySubjectAndMayHoldNoAccess() throws Exception {
        String token = issuer.issue(realmWith(TestRealms.es256()), Identity.ANONYMOUS, List.of(), NOW).token();

        Map<String, Object> payload = rawPayload(token);
        assertThat(payload.get("sub")).isEqualTo("");
        assertThat(payload.get("access")).isEqualTo(List.of());
    }

    @Test
    void everyTokenHasItsOwnJti() throws Exception {
        RealmConfig realm = realmWith(TestRealms.es256());
        Set<Object> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ids.add(rawPayload(issuer.issue(realm, ALICE, GRANTED, NOW).token()).get("jti"));
        }
        assertThat(ids).hasSize(50);
    }

    @Test
    void payloadSurvivesJibsNonUrlSafeBase64Decoder() throws Exception {
        // '>' '?' '~' and non-ASCII text produce '-' or '_' in base64url when written raw.
        String sub = "~>?a~~>>??b\u00e9\u20ac\uD83D\uDE00~?>" + "\u007f~";
        Identity odd = new Identity(sub, Set.of(), "htpasswd", SubjectKind.USER);
        List<ResourceScope> scopes = List.of(new ResourceScope("repository", null, "a~b/c?>", Set.of("pull")));
        String token = issuer.issue(realmWith(TestRealms.es256()), odd, scopes, NOW).token();

        String payloadPart = token.split("\\.")[1];
        assertThat(payloadPart).doesNotContain("-", "_");
        byte[] decoded = Base64.getDecoder().decode(payloadPart);
        Map<String, Object> payload = JSONObjectUtils.parse(new String(decoded, StandardCharsets.UTF_8));
        assertThat(payload.get("sub")).isEqualTo(sub);
        assertThat(SignedJWT.parse(token).getJWTClaimsSet().getSubject()).isEqualTo(sub);

        // Control: the same claims written by a plain JSON serializer are not decodable that way.
        String naive = new com.nimbusds.jose.Payload(
                new JWTClaimsSet.Builder().subject(sub).audience(TestRealms.SERVICE).build().toJSONObject())
                .toBase64URL().toString();
        assertThat(naive).containsAnyOf("-", "_");
    }

    @Test
    void randomClaimTextNeverYieldsUrlOnlyBase64Characters() throws Exception {
        Random random = new Random(42);
        char[] alphabet = "~>?\u007f\u0000\n\"\\/:aZ09 \u00ff\u0100\u07ff\u0800\uffef".toCharArray();
        RealmConfig realm = realmWith(TestRealms.es256());
        for (int i = 0; i < 300; i++) {
            StringBuilder sub = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int j = 0; j < length; j++) {
                sub.append(alphabet[random.nextInt(alphabet.length)]);
            }
            Identity who = new Identity(sub.toString(), Set.of(), "htpasswd", SubjectKind.USER);
            String token = issuer.issue(realm, who, GRANTED, NOW).token();
            String payloadPart = token.split("\\.")[1];
            assertThat(payloadPart).doesNotContain("-", "_");
            assertThat(JSONObjectUtils.parse(new String(Base64.getDecoder().decode(payloadPart), StandardCharsets.UTF_8))
                    .get("sub")).isEqualTo(sub.toString());
        }
    }

    @Test
    void issuedTokenToStringHidesTheToken() {
        AccessTokenIssuer.IssuedToken issued = issuer.issue(realmWith(TestRealms.es256()), ALICE, GRANTED, NOW);
        assertThat(issued.toString()).doesNotContain(issued.token().substring(0, 20)).contains("900");
    }

    private static RealmConfig realmWith(SigningKey key) {
        return TestRealms.realm(TestRealms.SERVICE, TestRealms.ISSUER, KeyRing.of(key), Map.of());
    }

    private static String payloadText(String token) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> rawPayload(String token) throws Exception {
        return JSONObjectUtils.parse(payloadText(token));
    }
}
