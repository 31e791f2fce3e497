package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.ISSUER;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.decode;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What is inside the tokens, as distribution v2.8 and v3 verify them (docs/protocol.md, "The token, as
 * distribution v2.8 checks it" and "distribution v3").
 */
class TokenClaimsTest {
    private static RealmFixture realm;

    @BeforeAll
    static void start() {
        realm = RealmFixture.start();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    private static String token(String user, String... scopes) {
        HttpResponse<String> response = realm.get(tokenQuery(scopes), user);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).getString("token");
    }

    private static JsonArray access(String user, String... scopes) {
        return decode(token(user, scopes))[1].getJsonArray("access");
    }

    @Test
    void claimsHaveTheTypesDistributionRequires() throws Exception {
        String token = token("alice", "repository:team-a/app:pull");
        assertThat(token.split("\\.")).hasSize(3);
        JsonObject claims = decode(token)[1];
        assertThat(claims.getValue("iss")).isEqualTo(ISSUER);
        assertThat(claims.getValue("aud")).isInstanceOf(String.class).isEqualTo(SERVICE);
        assertThat(claims.getValue("sub")).isEqualTo("alice");
        for (String time : List.of("exp", "nbf", "iat")) {
            assertThat(claims.getValue(time)).as(time).isInstanceOfAny(Integer.class, Long.class);
        }
        assertThat(claims.getString("jti")).isNotBlank();
        assertThat(decode(token("alice"))[1].getString("jti")).isNotEqualTo(claims.getString("jti"));
        assertThat(SignedJWT.parse(token).verify(new ECDSAVerifier((ECPublicKey) realm.key.publicKey()))).isTrue();
    }

    @Test
    void headerCarriesLibtrustKidAndX5cCertificate() throws Exception {
        JsonObject header = decode(token("alice"))[0];
        assertThat(header.getString("alg")).isEqualTo("ES256");
        assertThat(header.getString("kid")).isEqualTo(realm.key.kid())
                .isEqualTo(libtrustKid(realm.key.publicKey().getEncoded()));
        JsonArray x5c = header.getJsonArray("x5c");
        assertThat(x5c).hasSize(1);
        // Standard base64 (not base64url) of the DER certificate.
        assertThat(Base64.getDecoder().decode(x5c.getString(0))).isEqualTo(realm.key.certificate().getEncoded());
    }

    /** The libtrust key ID recipe of docs/protocol.md, written out independently of the production code. */
    private static String libtrustKid(byte[] spki) throws Exception {
        byte[] hash = java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(spki), 30);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder base32 = new StringBuilder();
        for (int bit = 0; bit < hash.length * 8; bit += 5) {
            int value = 0;
            for (int i = 0; i < 5; i++) {
                int b = bit + i;
                value = value << 1 | ((hash[b / 8] >> (7 - b % 8)) & 1);
            }
            base32.append(alphabet.charAt(value));
        }
        StringBuilder kid = new StringBuilder();
        for (int i = 0; i < 48; i += 4) {
            kid.append(i == 0 ? "" : ":").append(base32, i, i + 4);
        }
        return kid.toString();
    }

    @Test
    void es256SignatureIsRawRAndSNotDer() {
        String signature = token("alice").split("\\.")[2];
        assertThat(Base64.getUrlDecoder().decode(signature)).hasSize(64);
    }

    @Test
    void es384AndRs256AreSelectableAndVerify() throws Exception {
        for (SigningAlgorithm algorithm : List.of(SigningAlgorithm.ES384, SigningAlgorithm.RS256)) {
            SigningKey key = SigningKey.generate(algorithm, "alg-test", Instant.now(), Duration.ofDays(1));
            RealmState state = new RealmState(RealmSnapshot.of(List.of(
                    RealmFixture.realm(key, SERVICE, true, RealmFixture.PASSWORDS.keySet()))));
            try (RealmFixture other = RealmFixture.start(key, state, UnaryOperator.identity())) {
                String token = json(other.get(tokenQuery("repository:team-a/app:pull"), "alice")).getString("token");
                assertThat(decode(token)[0].getString("alg")).isEqualTo(algorithm.name());
                byte[] signature = Base64.getUrlDecoder().decode(token.split("\\.")[2]);
                SignedJWT jwt = SignedJWT.parse(token);
                if (algorithm == SigningAlgorithm.ES384) {
                    assertThat(signature).hasSize(96);
                    assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) key.publicKey()))).isTrue();
                } else {
                    assertThat(signature).hasSize(256);
                    assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) key.publicKey()))).isTrue();
                }
            }
        }
    }

    @Test
    void catalogNeedsTheLiteralStarAction() {
        JsonArray access = access("alice", "registry:catalog:*");
        assertThat(access).containsExactly(new JsonObject().put("type", "registry").put("name", "catalog")
                .put("actions", new JsonArray().add("*")));
        assertThat(access("bob", "registry:catalog:*")).isEmpty();
    }

    @Test
    void catalogSearchIsPassedThroughToo() {
        JsonArray access = access("alice", "registry:catalog:search");
        assertThat(access.getJsonObject(0).getJsonArray("actions")).containsExactly("search");
    }

    @Test
    void pluginResourceClassIsKeptInTheType() {
        JsonArray access = access("alice", "repository(plugin):team-a/plug:pull");
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getString("type")).isEqualTo("repository(plugin)");
        assertThat(access.getJsonObject(0).getString("name")).isEqualTo("team-a/plug");
    }

    @Test
    void namesWithHostAndPortKeepTheirDomain() {
        JsonArray access = access("alice", "repository:host.test:5000/team-a/app:pull,push");
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getString("name")).isEqualTo("host.test:5000/team-a/app");
        assertThat(access.getJsonObject(0).getJsonArray("actions")).containsExactlyInAnyOrder("pull", "push");
    }

    @Test
    void unknownResourceTypesAreDroppedNotRefused() {
        JsonArray access = access("alice", "repository:team-a/app:pull", "frobnicator:thing:twiddle");
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getString("type")).isEqualTo("repository");
    }

    @Test
    void duplicateResourcesMergeTheirActions() {
        JsonArray access = access("alice", "repository:team-a/app:pull", "repository:team-a/app:push",
                "repository:team-a/app:push,pull");
        assertThat(access).hasSize(1);
        assertThat(access.getJsonObject(0).getJsonArray("actions")).containsExactlyInAnyOrder("pull", "push");
    }

    @Test
    void pushPullOrderDoesNotMatter() {
        assertThat(access("alice", "repository:team-a/app:push,pull").getJsonObject(0).getJsonArray("actions"))
                .containsExactlyInAnyOrder("pull", "push");
    }

    @Test
    void starForDeleteIsAnsweredWithTheActionsHeld() {
        // skopeo delete asks for '*'; alice holds pull, push and delete on team-a/scratch.
        assertThat(access("alice", "repository:team-a/scratch:*").getJsonObject(0).getJsonArray("actions"))
                .containsExactlyInAnyOrder("pull", "push", "delete");
        assertThat(access("alice", "repository:team-a/app:delete")).isEmpty();
    }

    @Test
    void payloadSurvivesJibsNonUrlSafeDecoderEvenForOddUserNames() {
        String odd = "odd~user>name?";
        String htpasswd = odd + ":" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "pw".toCharArray());
        RealmConfig base = RealmFixture.realm(realm.key, SERVICE, true, Set.of());
        RealmConfig withOdd = new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(),
                base.tokenTtl(), base.refreshTtl(), KeyRing.of(realm.key), base.refreshTokenKey(), true,
                Htpasswd.parse(htpasswd, null), Policy.compile(List.of(new Grant("g/odd",
                        List.of(Subject.user(odd)), List.of("team-a/**"), Set.of("pull"), false))));
        RealmSnapshot before = realm.state.current();
        realm.swap(withOdd);
        try {
            HttpResponse<String> response = realm.get(tokenQuery("repository:team-a/app:pull"), odd, "pw");
            String payload = json(response).getString("token").split("\\.")[1];
            assertThat(payload).doesNotContain("-", "_");
            String padded = payload + "=".repeat((4 - payload.length() % 4) % 4);
            JsonObject claims = new JsonObject(new String(Base64.getDecoder().decode(padded), StandardCharsets.UTF_8));
            assertThat(claims.getString("sub")).isEqualTo(odd);
            assertThat(claims.getJsonArray("access")).hasSize(1);
        } finally {
            realm.state.swap(before);
        }
    }
}
