package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real docker CLI and daemon against a real registry whose tokens come from the realm: login stores
 * the realm's refresh token, push and pull go through it (docker keeps no password), a grant held through
 * an htpasswd group holds for every push, and a repository the user holds no grant on stays closed.
 */
class DockerDaemonIT {
    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static RealmSpec spec;
    static DockerDaemon docker;

    @BeforeAll
    static void start() throws Exception {
        spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "docker-it")),
                Map.of("erin", "erin-secret", "frank", "frank-secret"),
                List.of(allow(Subject.user("erin"), "team-d/**", "pull", "push"),
                        allow(Subject.group("builders"), "builders/**", "pull", "push")),
                false, Map.of("builders", List.of("frank")));
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults(), spec);
        docker = DockerDaemon.start(dir.resolve("docker"));
        System.out.printf("DockerDaemonIT: dockerd answered after %d ms%n", docker.startup().toMillis());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (docker != null) {
                docker.close();
            }
        } finally {
            if (env != null) {
                env.close();
            }
        }
    }

    @Test
    void loginPushAndPullThroughTheRealm() {
        String registry = env.registry().hostPort();
        String image = registry + "/team-d/app:1";
        String imported = docker.importImage(image);

        docker.login(registry, "erin", "erin-secret").requireSuccess("login");
        JsonObject saved = docker.savedAuth(registry);
        assertThat(saved).as("config.json entry for %s", registry).isNotNull();
        assertThat(saved.getString("identitytoken")).as("the realm's refresh token, kept instead of the password")
                .isNotBlank();
        assertThat(new String(Base64.getDecoder().decode(saved.getString("auth")), StandardCharsets.UTF_8))
                .isEqualTo("erin:");

        docker.push(image).requireSuccess("push");
        docker.remove(image).requireSuccess("removing the local copy");
        assertThat(docker.imageId(image)).isNull();
        docker.pull(image).requireSuccess("pull");
        assertThat(docker.imageId(image)).as("the pulled image is the one pushed").isEqualTo(imported);

        String foreign = registry + "/team-x/app:1";
        docker.importImage(foreign);
        DockerDaemon.Result refused = docker.push(foreign);
        assertThat(refused.succeeded()).as("push without a grant: %s", refused.stdout()).isFalse();
        assertThat(refused.stderr() + refused.stdout()).contains("denied");

        docker.logout(registry).requireSuccess("logout");
        assertThat(docker.savedAuth(registry)).isNull();
        docker.remove(image).requireSuccess("removing the local copy");
        DockerDaemon.Result anonymous = docker.pull(image);
        assertThat(anonymous.succeeded()).as("pull after logout: %s", anonymous.stdout()).isFalse();
    }

    @Test
    void groupGrantHoldsForEveryPushWithTheStoredRefreshToken() {
        String registry = env.registry().hostPort();
        String first = registry + "/builders/app:1";
        String second = registry + "/builders/app:2";
        String foreign = registry + "/team-d/app:frank";
        docker.importImage(first);
        docker.importImage(second);
        docker.importImage(foreign);

        docker.login(registry, "frank", "frank-secret").requireSuccess("login");
        JsonObject saved = docker.savedAuth(registry);
        assertThat(saved.getString("identitytoken")).isNotBlank();
        assertThat(new String(Base64.getDecoder().decode(saved.getString("auth")), StandardCharsets.UTF_8))
                .as("no password kept: every later request can only use the refresh token").isEqualTo("frank:");

        docker.push(first).requireSuccess("first push through the builders group");
        docker.push(second).requireSuccess("second push with the same stored refresh token");
        DockerDaemon.Result refused = docker.push(foreign);
        assertThat(refused.succeeded()).as("push where only erin holds a grant: %s", refused.stdout()).isFalse();
        assertThat(refused.stderr() + refused.stdout()).contains("denied");
        assertThat(docker.savedAuth(registry).getString("identitytoken")).as("the refresh token never changes")
                .isEqualTo(saved.getString("identitytoken"));
        docker.logout(registry).requireSuccess("logout");
    }
}
