package io.registryauth.realm.it;

import static io.registryauth.realm.it.RealmSpec.allow;
import static io.registryauth.realm.it.RealmSpec.catalog;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v2/_catalog} needs {@code registry:catalog:*}, which only a catalog grant yields. */
class CatalogIT {
    private static final String CATALOG_SCOPE = "registry:catalog:*";

    @TempDir
    static Path dir;
    static RealmAndRegistry env;
    static RealmSpec spec;

    @BeforeAll
    static void start() throws Exception {
        spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "catalog-it")),
                Map.of("lister", "lister-secret", "worker", "worker-secret"),
                List.of(allow(Subject.user("lister"), "listed/**", "pull", "push"), catalog(Subject.user("lister")),
                        allow(Subject.user("worker"), "listed/**", "pull", "push")),
                false);
        env = RealmAndRegistry.start(dir.resolve("env"), TokenServer.Options.defaults(), spec);
        new Skopeo(dir.resolve("skopeo"))
                .copy(OciImages.write(dir.resolve("image")).reference(), null, env.docker("listed/app:1"),
                        spec.login("lister"))
                .requireSuccess("seeding push");
    }

    @AfterAll
    static void stop() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void userWithCatalogGrantListsRepositories() {
        TokenClient.Answer answer = env.tokens().get(spec.login("lister"), false, CATALOG_SCOPE);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(TokenClient.claims(answer.accessToken()).getJsonArray("access"))
                .containsExactly(new JsonObject().put("type", "registry").put("name", "catalog")
                        .put("actions", new JsonArray().add("*")));

        HttpResponse<String> catalog = env.http().get("/v2/_catalog", answer.accessToken());

        assertThat(catalog.statusCode()).as(catalog.body()).isEqualTo(200);
        assertThat(new JsonObject(catalog.body()).getJsonArray("repositories")).contains("listed/app");
    }

    @Test
    void userWithoutCatalogGrantGetsAnEmptyTokenTheRegistryRefuses() {
        TokenClient.Answer answer = env.tokens().get(spec.login("worker"), false, CATALOG_SCOPE);
        assertThat(answer.status()).as("a partial grant is no error").isEqualTo(200);
        assertThat(TokenClient.claims(answer.accessToken()).getJsonArray("access")).isEmpty();

        HttpResponse<String> catalog = env.http().get("/v2/_catalog", answer.accessToken());

        assertThat(catalog.statusCode()).isEqualTo(401);
        assertThat(catalog.headers().firstValue("WWW-Authenticate")).get().asString()
                .contains("error=\"insufficient_scope\"").contains("registry:catalog:*");
    }
}
