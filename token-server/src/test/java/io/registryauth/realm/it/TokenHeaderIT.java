package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * distribution 2.8.2 finds the verification key through {@code x5c} when the token has one, and otherwise
 * through the libtrust {@code kid} matched against its certificate bundle: both paths must accept our tokens,
 * for each signing algorithm the realm offers (EC signatures as raw R||S of the curve's size).
 */
class TokenHeaderIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, x5c in the header: {1}")
    @CsvSource({"ES256, true", "ES256, false", "ES384, true", "RS256, false"})
    void pushAndPullWithTokensVerifiedThroughX5cOrKid(SigningAlgorithm algorithm, boolean includeX5c)
            throws Exception {
        SigningKey key = TestRealm.newKey(algorithm, "header-it");
        RealmSpec spec = new RealmSpec(KeyRing.of(key),
                Map.of("owner", "owner-secret", "reader", "reader-secret"),
                List.of(allow(Subject.user("owner"), "team-h/**", "pull", "push"),
                        allow(Subject.user("reader"), "team-h/**", "pull")),
                false);
        TokenServer.Options options = TokenServer.Options.defaults().withIssuer(new AccessTokenIssuer(includeX5c));
        try (RealmAndRegistry env = RealmAndRegistry.start(dir.resolve("env"), options, spec)) {
            JsonObject header = TokenClient.header(env.tokens()
                    .get(spec.login("reader"), false, "repository:team-h/app:pull").accessToken());
            assertThat(header.getString("kid")).isEqualTo(key.kid());
            assertThat(header.getString("alg")).isEqualTo(algorithm.name());
            assertThat(header.containsKey("x5c")).isEqualTo(includeX5c);

            Skopeo skopeo = new Skopeo(dir.resolve("skopeo"));
            OciImage image = OciImages.write(dir.resolve("image"));
            skopeo.copy(image.reference(), null, env.docker("team-h/app:1"), spec.login("owner"))
                    .requireSuccess("push");
            Skopeo.Result inspect = skopeo.inspectRaw(env.docker("team-h/app:1"), spec.login("reader"))
                    .requireSuccess("inspect");
            assertThat(inspect.stdout()).contains(image.layerDigest());
            skopeo.copy(env.docker("team-h/app:1"), spec.login("reader"), "oci:" + dir.resolve("pulled") + ":1", null)
                    .requireSuccess("pull");
        }
    }
}
