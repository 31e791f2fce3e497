package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker's refresh-token flow: a GET with {@code offline_token=true} yields a refresh token, later POSTs
 * with {@code grant_type=refresh_token} yield access tokens the registry accepts, and removing the user
 * from the realm stops the refresh token at once.
 */
class RefreshTokenIT {
    private static final String REPOSITORY = "team-r/app";
    private static final String PULL = "repository:" + REPOSITORY + ":pull";

    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static RealmSpec spec;
    static OciImage image;

    @BeforeAll
    static void start() throws Exception {
        spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "refresh-it")),
                Map.of("owner", "owner-secret", "reader", "reader-secret"),
                List.of(allow(Subject.user("owner"), "team-r/**", "pull", "push"),
                        allow(Subject.user("reader"), "team-r/**", "pull")),
                false);
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults(), spec);
        image = OciImages.write(dir.resolve("image"));
        new Skopeo(dir.resolve("skopeo")).copy(image.reference(), null, env.docker(REPOSITORY + ":1"),
                spec.login("owner")).requireSuccess("seeding push");
    }

    @AfterAll
    static void stop() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void refreshGrantYieldsAcceptedTokensUntilTheUserIsRemoved() {
        TokenClient.Answer login = env.tokens().get(spec.login("reader"), true, PULL);
        assertThat(login.status()).isEqualTo(200);
        String refreshToken = login.refreshToken();
        assertThat(refreshToken).as("refresh_token for offline_token=true").isNotBlank();

        TokenClient.Answer refreshed = env.tokens().refresh(refreshToken, PULL);

        assertThat(refreshed.status()).as(refreshed.body().encode()).isEqualTo(200);
        assertThat(refreshed.refreshToken()).as("the refresh grant returns the same refresh token")
                .isEqualTo(refreshToken);
        assertThat(TokenClient.claims(refreshed.accessToken()).getString("sub")).isEqualTo("reader");
        HttpResponse<String> manifest = env.http().getManifest(REPOSITORY, "1", refreshed.accessToken());
        assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).contains(image.manifestDigest());

        env.realm().load(spec.withoutUser("reader"));
        try {
            TokenClient.Answer afterRemoval = env.tokens().refresh(refreshToken, PULL);
            assertThat(afterRemoval.status()).isEqualTo(401);
            assertThat(afterRemoval.body().getJsonArray("errors").getJsonObject(0).getString("code"))
                    .isEqualTo("UNAUTHORIZED");
        } finally {
            env.realm().load(spec);
        }
    }

    @Test
    void passwordGrantThroughPostYieldsAnAcceptedToken() {
        TokenClient.Answer answer = env.tokens().password(spec.login("reader"), PULL);

        assertThat(answer.status()).as(answer.body().encode()).isEqualTo(200);
        assertThat(answer.body().getValue("scope")).as("one space-separated string").isEqualTo(PULL);
        assertThat(answer.refreshToken()).as("no refresh token without access_type=offline").isNull();
        HttpResponse<String> manifest = env.http().getManifest(REPOSITORY, "1", answer.accessToken());
        assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
        assertThat(env.tokens().password(new Login("reader", "wrong"), PULL).status()).isEqualTo(401);
    }

    @Test
    void refreshedTokenCarriesOnlyWhatThePolicyAllows() {
        String refreshToken = env.tokens().get(spec.login("reader"), true, PULL).refreshToken();

        TokenClient.Answer push = env.tokens().refresh(refreshToken, "repository:" + REPOSITORY + ":pull,push");

        assertThat(push.status()).isEqualTo(200);
        HttpResponse<String> upload = env.http().post("/v2/" + REPOSITORY + "/blobs/uploads/", push.accessToken());
        assertThat(upload.statusCode()).isEqualTo(401);
        assertThat(upload.headers().firstValue("WWW-Authenticate")).get().asString()
                .contains("error=\"insufficient_scope\"");
    }
}
