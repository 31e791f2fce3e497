package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.OciImages.OciImage;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jib (jib-core) building on a base image from the same registry and pushing: it asks for the target's
 * pull,push plus the base's pull, decodes the token payload to decide on a blob mount (with the
 * non-URL-safe Base64 decoder), and must get an authorization error where it may only pull.
 */
class JibIT {
    private static final String BASE = "team-j/base";
    /** Unescaped, "~~~~" in the payload's JSON always yields '-' or '_' in base64url, whatever the offset. */
    private static final String TILDE_USER = "ci~~~~bot";

    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static RealmSpec spec;
    static OciImage base;
    static String previousSendCredentials;

    @BeforeAll
    static void start() throws Exception {
        // Jib refuses to send credentials over plain HTTP unless told to; the test registry has no TLS.
        previousSendCredentials = System.setProperty("sendCredentialsOverHttp", "true");
        spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "jib-it")),
                Map.of("builder", "builder-secret", "reader", "reader-secret", TILDE_USER, "tilde-secret"),
                List.of(allow(Subject.user("builder"), "team-j/**", "pull", "push"),
                        allow(Subject.user(TILDE_USER), "team-j/**", "pull", "push"),
                        allow(Subject.user("reader"), "team-j/**", "pull")),
                false);
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults(), spec);
        base = OciImages.write(dir.resolve("base"));
        new Skopeo(dir.resolve("skopeo")).copy(base.reference(), null, env.docker(BASE + ":1"), spec.login("builder"))
                .requireSuccess("seeding the base image");
    }

    @AfterAll
    static void stop() throws Exception {
        if (previousSendCredentials == null) {
            System.clearProperty("sendCredentialsOverHttp");
        } else {
            System.setProperty("sendCredentialsOverHttp", previousSendCredentials);
        }
        if (env != null) {
            env.close();
        }
    }

    private static RegistryImage image(String repositoryAndTag, Login login) throws Exception {
        return RegistryImage.named(env.registry().hostPort() + "/" + repositoryAndTag)
                .addCredential(login.username(), login.password());
    }

    private static JibContainer build(String target, String user, List<String> log) throws Exception {
        return build(target, spec.login(user), log);
    }

    private static JibContainer build(String target, Login login, List<String> log) throws Exception {
        Path app = Files.createDirectories(dir.resolve("app-" + UUID.randomUUID()));
        Path file = Files.writeString(app.resolve("hello.txt"), "built by jib " + UUID.randomUUID());
        Path cache = Files.createDirectories(dir.resolve("jib-cache"));
        return Jib.from(image(BASE + ":1", login))
                .addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/bin/true")
                .containerize(Containerizer.to(image(target, login))
                        .setAllowInsecureRegistries(true)
                        .setBaseImageLayersCache(cache.resolve("base"))
                        .setApplicationLayersCache(cache.resolve("app-" + UUID.randomUUID()))
                        .setToolName("registry-auth-it")
                        .addEventHandler(LogEvent.class, event -> log.add(event.getLevel() + " " + event.getMessage())));
    }

    private static void assertPushedWithBaseLayerMounted(String repository, JibContainer container, List<String> log)
            throws Exception {
        assertThat(container.isImagePushed()).as("jib log: %s", log).isTrue();
        Skopeo.Result inspect = new Skopeo(dir.resolve("skopeo-" + UUID.randomUUID()))
                .inspectRaw(env.docker(repository + ":1"), spec.login("reader")).requireSuccess("inspect");
        assertThat(OciImages.digest(inspect.stdout().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(container.getDigest().toString());
        assertThat(inspect.stdout()).contains(base.layerDigest());
        // Jib mounts only after decoding the token payload and finding pull on the base repository.
        Pattern mounted = Pattern.compile("\"POST /v2/" + Pattern.quote(repository) + "/blobs/uploads/\\?mount="
                + Pattern.quote(base.layerDigest()) + "&from=team-j(/|%2F)base HTTP/1.1\" 201");
        assertThat(mounted.matcher(env.registry().logText()).find())
                .as("registry access log shows a 201 mount of the base layer; tail:\n%s", env.registry().logTail(30))
                .isTrue();
    }

    @Test
    void pushToGrantedRepositoryMountsTheBaseLayerAndSucceeds() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        JibContainer container = build("team-j/app:1", "builder", log);

        assertPushedWithBaseLayerMounted("team-j/app", container, log);
    }

    @Test
    void subjectThatBase64urlWouldGiveDashesStillDecodesInJib() throws Exception {
        String payload = env.tokens().get(spec.login(TILDE_USER), false, "repository:team-j/tilde:pull,push")
                .accessToken().split("\\.")[1];
        assertThat(payload).doesNotContain("-", "_");
        assertThat(new String(Base64.getDecoder().decode(payload), StandardCharsets.US_ASCII))
                .as("the claims decode with the plain Base64 decoder, as Jib does").contains("\"sub\":");

        List<String> log = new CopyOnWriteArrayList<>();
        JibContainer container = build("team-j/tilde:1", TILDE_USER, log);

        assertPushedWithBaseLayerMounted("team-j/tilde", container, log);
    }

    @Test
    void pushWithRefreshTokenCredential() throws Exception {
        TokenClient.Answer login = env.tokens().get(spec.login("builder"), true, "repository:" + BASE + ":pull");
        assertThat(login.refreshToken()).isNotBlank();
        List<String> log = new CopyOnWriteArrayList<>();

        // "<token>" makes Jib POST grant_type=refresh_token, with a chunked body, instead of using Basic auth
        JibContainer container = build("team-j/refreshed:1", new Login("<token>", login.refreshToken()), log);

        assertPushedWithBaseLayerMounted("team-j/refreshed", container, log);
    }

    @Test
    void pushToPullOnlyRepositoryFailsWithAnAuthorizationError() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> build("team-j/denied:1", "reader", log))
                .isInstanceOf(RegistryUnauthorizedException.class)
                .hasMessageContaining("team-j/denied");
        assertThat(new Skopeo(dir.resolve("skopeo-denied")).inspectRaw(env.docker("team-j/denied:1"),
                spec.login("builder")).stderr()).contains("manifest unknown");
    }
}
