package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push, pull, delete and anonymous access through skopeo against a real registry trusting the realm. */
class SkopeoIT {
    private static final String DENIED = "denied: requested access to the resource is denied";

    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static Skopeo skopeo;
    static RealmSpec spec;
    static final List<String> audit = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "skopeo-it")),
                Map.of("alice", "alice-secret", "bob", "bob-secret", "carol", "carol-secret"),
                List.of(allow(Subject.user("alice"), "team-a/**", "pull", "push", "delete"),
                        allow(Subject.user("alice"), "public/**", "pull", "push"),
                        allow(Subject.user("bob"), "team-a/**", "pull"),
                        allow(Subject.user("carol"), "team-a/**", "pull", "push"),
                        allow(Subject.anonymous(), "public/**", "pull")),
                true);
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults().withAudit(audit::add), spec);
        skopeo = new Skopeo(dir.resolve("skopeo"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private static OciImage pushAs(String user, String repositoryAndTag) {
        OciImage image = OciImages.write(dir.resolve("images").resolve(repositoryAndTag.replaceAll("[/:]", "_")));
        skopeo.copy(image.reference(), null, env.docker(repositoryAndTag), spec.login(user))
                .requireSuccess("push of " + repositoryAndTag + " as " + user);
        return image;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }

    @Test
    void pushAndPullAllowed() throws Exception {
        OciImage image = pushAs("alice", "team-a/app:1");

        Skopeo.Result inspect = skopeo.inspectRaw(env.docker("team-a/app:1"), spec.login("alice"))
                .requireSuccess("inspect");
        assertThat(OciImages.digest(inspect.stdout().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(image.manifestDigest());

        Path back = dir.resolve("pulled-app");
        skopeo.copy(env.docker("team-a/app:1"), spec.login("alice"), "oci:" + back + ":1", null)
                .requireSuccess("pull");
        assertThat(Files.readAllBytes(blob(back, image.layerDigest()))).isEqualTo(image.layer());
        assertThat(blob(back, image.configDigest())).exists();
    }

    @Test
    void pushDeniedToPullOnlyUserWhosePullStillWorks() {
        pushAs("alice", "team-a/readonly:1");
        OciImage other = OciImages.write(dir.resolve("images/readonly-2"));

        Skopeo.Result push = skopeo.copy(other.reference(), null, env.docker("team-a/readonly:2"), spec.login("bob"));

        assertThat(push.succeeded()).as("push by a pull-only user: %s", push.stderr()).isFalse();
        assertThat(push.stderr()).contains(DENIED);
        assertThat(env.registry().logLines("insufficient scope", "http.request.method=POST",
                "/v2/team-a/readonly/blobs/uploads/")).isNotEmpty();
        Path pulled = dir.resolve("bob-pull");
        skopeo.copy(env.docker("team-a/readonly:1"), spec.login("bob"), "oci:" + pulled + ":1", null)
                .requireSuccess("pull by the pull-only user");
        assertThat(skopeo.inspectRaw(env.docker("team-a/readonly:2"), spec.login("alice")).stderr())
                .as("the refused push left no tag behind").contains("manifest unknown");
    }

    @Test
    void deleteAllowedOnlyWithTheDeleteAction() {
        pushAs("alice", "team-a/deletable:1");

        Skopeo.Result denied = skopeo.delete(env.docker("team-a/deletable:1"), spec.login("carol"));
        assertThat(denied.succeeded()).as("delete by a user without delete: %s", denied.stderr()).isFalse();
        assertThat(denied.stderr()).contains("401");
        assertThat(env.registry().logLines("insufficient scope", "http.request.method=DELETE",
                "/v2/team-a/deletable/manifests/")).isNotEmpty();
        skopeo.inspectRaw(env.docker("team-a/deletable:1"), spec.login("carol"))
                .requireSuccess("inspect after the refused delete");

        skopeo.delete(env.docker("team-a/deletable:1"), spec.login("alice")).requireSuccess("delete by alice");
        Skopeo.Result gone = skopeo.inspectRaw(env.docker("team-a/deletable:1"), spec.login("alice"));
        assertThat(gone.succeeded()).as("inspect after delete").isFalse();
        assertThat(gone.stderr()).contains("manifest unknown");
    }

    @Test
    void anonymousPullOfPublicRepositoryButNoAnonymousPushOrPrivatePull() {
        OciImage image = pushAs("alice", "public/base:1");
        pushAs("alice", "team-a/private:1");

        Path pulled = dir.resolve("anonymous-pull");
        skopeo.copy(env.docker("public/base:1"), Login.ANONYMOUS, "oci:" + pulled + ":1", null)
                .requireSuccess("anonymous pull");
        assertThat(blob(pulled, image.layerDigest())).exists();

        OciImage other = OciImages.write(dir.resolve("images/anonymous-push"));
        Skopeo.Result push = skopeo.copy(other.reference(), null, env.docker("public/base:2"), Login.ANONYMOUS);
        assertThat(push.succeeded()).as("anonymous push: %s", push.stderr()).isFalse();
        assertThat(push.stderr()).contains(DENIED);
        Skopeo.Result privatePull = skopeo.inspectRaw(env.docker("team-a/private:1"), Login.ANONYMOUS);
        assertThat(privatePull.succeeded()).as("anonymous inspect of a private repository").isFalse();
        assertThat(privatePull.stderr()).contains(DENIED);
    }

    @Test
    void wrongPasswordIsRefusedByTheRealmNotTurnedAnonymous() {
        pushAs("alice", "public/open:1");

        Skopeo.Result wrong = skopeo.inspectRaw(env.docker("public/open:1"), new Login("alice", "not-her-password"));

        assertThat(wrong.succeeded()).as("a wrong password must fail even where anonymous may pull").isFalse();
        assertThat(wrong.stderr()).contains("unable to retrieve auth token: invalid username/password");
    }

    @Test
    void auditLinesRecordEachDecisionWithoutSecrets() {
        pushAs("alice", "team-a/audited:1");
        skopeo.copy(OciImages.write(dir.resolve("images/audited-2")).reference(), null,
                env.docker("team-a/audited:2"), spec.login("bob"));

        List<String> lines = audit.stream().filter(line -> line.contains("team-a/audited")).toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"subject\":\"alice\"")
                .contains("\"granted\":[\"repository:team-a/audited:pull,push\"]").contains("\"status\":200"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"subject\":\"bob\"")
                .contains("\"requested\":[\"repository:team-a/audited:pull,push\"]")
                .contains("\"granted\":[\"repository:team-a/audited:pull\"]"));
        assertThat(audit).allSatisfy(line -> assertThat(line)
                .doesNotContain("alice-secret", "bob-secret", "carol-secret", "not-her-password", "eyJ"));
    }
}
