package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-repository blob mounts: clients ask for {@code repository:<target>:pull,push} plus
 * {@code repository:<source>:pull}; the realm grants what it may and never fails over the source.
 */
class CrossRepositoryMountIT {
    private static final String SOURCE = "src/app";

    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static RealmSpec spec;
    static OciImage source;

    @BeforeAll
    static void start() throws Exception {
        spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "mount-it")),
                Map.of("owner", "owner-secret", "mover", "mover-secret", "stranger", "stranger-secret"),
                List.of(allow(Subject.user("owner"), "src/**", "pull", "push"),
                        allow(Subject.user("mover"), "dst/**", "pull", "push"),
                        allow(Subject.user("mover"), "src/**", "pull"),
                        allow(Subject.user("stranger"), "dst/**", "pull", "push")),
                false);
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults(), spec);
        source = OciImages.write(dir.resolve("image"));
        String ownerToken = env.tokens().get(spec.login("owner"), false, "repository:" + SOURCE + ":pull,push")
                .accessToken();
        HttpResponse<String> seeded = env.http().pushBlob(SOURCE, source.layer(), source.layerDigest(), ownerToken);
        assertThat(seeded.statusCode()).as("seeding the source blob: %s", seeded.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private static String mountPath(String target) {
        return "/v2/" + target + "/blobs/uploads/?mount=" + source.layerDigest() + "&from=" + SOURCE;
    }

    private static Map<String, String> grantedActions(String token) {
        return TokenClient.claims(token).getJsonArray("access").stream()
                .map(JsonObject.class::cast)
                .collect(Collectors.toMap(entry -> entry.getString("name"),
                        entry -> entry.getJsonArray("actions").stream().map(Object::toString).sorted()
                                .collect(Collectors.joining(","))));
    }

    @Test
    void mountSucceedsWithPullOnTheSource() {
        String target = "dst/with-pull";
        TokenClient.Answer answer = env.tokens().get(spec.login("mover"), false,
                "repository:" + target + ":pull,push", "repository:" + SOURCE + ":pull");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(grantedActions(answer.accessToken()))
                .containsExactlyInAnyOrderEntriesOf(Map.of(target, "pull,push", SOURCE, "pull"));

        HttpResponse<String> mount = env.http().post(mountPath(target), answer.accessToken());

        assertThat(mount.statusCode()).as("mount answer: %s", mount.body()).isEqualTo(201);
        assertThat(mount.headers().firstValue("Docker-Content-Digest")).contains(source.layerDigest());
        assertThat(env.http().head("/v2/" + target + "/blobs/" + source.layerDigest(), answer.accessToken())
                .statusCode()).isEqualTo(200);
    }

    @Test
    void withoutPullOnTheSourceTheRealmStillAnswersAndTheClientFallsBackToUpload() {
        String target = "dst/without-pull";
        TokenClient.Answer answer = env.tokens().get(spec.login("stranger"), false,
                "repository:" + target + ":pull,push", "repository:" + SOURCE + ":pull");
        assertThat(answer.status()).as("the source is no reason to fail the token request").isEqualTo(200);
        assertThat(grantedActions(answer.accessToken()))
                .containsExactlyInAnyOrderEntriesOf(Map.of(target, "pull,push"));

        HttpResponse<String> mount = env.http().post(mountPath(target), answer.accessToken());

        // distribution 2.8.2 demands pull on "from" before it looks at the mount, so the refusal is a 401
        assertThat(mount.statusCode()).as("mount answer: %s", mount.body()).isEqualTo(401);
        assertThat(mount.headers().firstValue("WWW-Authenticate")).get().asString()
                .contains("error=\"insufficient_scope\"").contains("repository:" + SOURCE + ":pull");
        HttpResponse<String> upload = env.http().pushBlob(target, source.layer(), source.layerDigest(),
                answer.accessToken());
        assertThat(upload.statusCode()).as("fallback upload: %s", upload.body()).isEqualTo(201);
        assertThat(upload.headers().firstValue("Docker-Content-Digest")).contains(source.layerDigest());
    }
}
