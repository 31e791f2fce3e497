package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation as a registry sees it: it trusts a bundle of two certificates, and tokens signed by either
 * key work, before and after the realm switches its active signer. A key outside the bundle is refused.
 */
class KeyRotationIT {
    private static final String REPOSITORY = "team-k/app";

    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static RealmSpec spec;
    static Skopeo skopeo;
    static OciImage image;
    static SigningKey keyA;
    static SigningKey keyB;

    @BeforeAll
    static void start() throws Exception {
        keyA = TestRealm.newKey(SigningAlgorithm.ES256, "rotation-a");
        keyB = TestRealm.newKey(SigningAlgorithm.RS256, "rotation-b");
        spec = new RealmSpec(KeyRing.of(keyA, keyB),
                Map.of("owner", "owner-secret", "reader", "reader-secret"),
                List.of(allow(Subject.user("owner"), "team-k/**", "pull", "push"),
                        allow(Subject.user("reader"), "team-k/**", "pull")),
                false);
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults(), spec);
        skopeo = new Skopeo(dir.resolve("skopeo"));
        image = OciImages.write(dir.resolve("image"));
        skopeo.copy(image.reference(), null, env.docker(REPOSITORY + ":1"), spec.login("owner"))
                .requireSuccess("seeding push");
    }

    @AfterAll
    static void stop() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private static String pullToken() {
        TokenClient.Answer answer = env.tokens().get(spec.login("reader"), false, "repository:" + REPOSITORY + ":pull");
        assertThat(answer.status()).isEqualTo(200);
        return answer.accessToken();
    }

    private static void pullWithSkopeo(String into) {
        skopeo.copy(env.docker(REPOSITORY + ":1"), spec.login("reader"), "oci:" + dir.resolve(into) + ":1", null)
                .requireSuccess("pull into " + into);
    }

    @Test
    void tokensFromEitherBundledKeyAreAcceptedAcrossTheSwitch() {
        env.realm().load(spec.withKeys(KeyRing.of(keyA, keyB)));
        String tokenFromA = pullToken();
        assertThat(TokenClient.header(tokenFromA).getString("kid")).isEqualTo(keyA.kid());
        pullWithSkopeo("pull-a");

        env.realm().load(spec.withKeys(KeyRing.of(keyB, keyA)));
        String tokenFromB = pullToken();
        assertThat(TokenClient.header(tokenFromB).getString("kid")).isEqualTo(keyB.kid());
        assertThat(TokenClient.header(tokenFromB).getString("alg")).isEqualTo("RS256");
        pullWithSkopeo("pull-b");

        for (String token : List.of(tokenFromA, tokenFromB)) {
            HttpResponse<String> manifest = env.http().getManifest(REPOSITORY, "1", token);
            assertThat(manifest.statusCode()).as("kid %s: %s", TokenClient.header(token).getString("kid"),
                    manifest.body()).isEqualTo(200);
        }
    }

    @Test
    void keyOutsideTheBundleIsRefused() {
        SigningKey stranger = TestRealm.newKey(SigningAlgorithm.ES256, "rotation-stranger");
        env.realm().load(spec.withKeys(KeyRing.of(stranger)));
        try {
            HttpResponse<String> manifest = env.http().getManifest(REPOSITORY, "1", pullToken());
            assertThat(manifest.statusCode()).isEqualTo(401);
            assertThat(skopeo.inspectRaw(env.docker(REPOSITORY + ":1"), spec.login("reader")).succeeded())
                    .isFalse();
        } finally {
            env.realm().load(spec);
        }
    }
}
