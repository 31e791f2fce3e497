package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.TokenServerOptions;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.http.TokenServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole path on the mock server: the operator writes the pull Secret, the feed turns its hash into a
 * robot, and the token server gives the robot exactly its grant, until the grant is deleted.
 */
class RobotLoginTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockCluster cluster;
    private RealmFeed feed;
    private Vertx vertx;
    private int port;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.start(cluster.settings());
        RealmState state = new RealmState();
        feed = RealmFeed.start(cluster.client, cluster.settings(), state);
        vertx = Vertx.vertx();
        port = TokenServer.start(vertx, state, TokenServerOptions.standard(cluster.client), "127.0.0.1", 0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        feed.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster.close();
    }

    private HttpResponse<String> token(String user, String password, String scope) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/token?service=registry.example.com&scope=" + scope))
                .header("Authorization", "Basic " + basic).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode access(HttpResponse<String> response) throws Exception {
        String jwt = JSON.readTree(response.body()).path("token").asText();
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).path("access");
    }

    @Test
    void theRobotPullsWithTheGeneratedSecretIsRefusedAPushAndLosesAccessWithItsGrant() throws Exception {
        RegistryAuth auth = cluster.client.resource(cluster.registryAuth("registry", "main", "registry.example.com"))
                .create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        RepositoryAccess grant = new RepositoryAccess();
        grant.getMetadata().setNamespace("team-a");
        grant.getMetadata().setName("pull");
        grant.getSpec().setRegistry(new RegistryRef("main", "registry"));
        grant.getSpec().setRepositories(List.of("team-a/**"));
        grant.getSpec().setActions(List.of(RepositoryAction.PULL));
        grant.getSpec().setCredentials(new CredentialsSpec("team-a-pull"));
        cluster.client.resource(grant).create();

        Secret secret = await("pull Secret", () -> cluster.client.secrets().inNamespace("team-a")
                .withName("team-a-pull").get(), s -> true);
        JsonNode entry = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                .path("auths").path("registry.example.com");
        String user = entry.path("username").asText();
        String password = entry.path("password").asText();

        HttpResponse<String> granted = await("robot token", () -> {
            try {
                return token(user, password, "repository:team-a/app:pull,push");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.statusCode() == 200);
        JsonNode access = access(granted);
        assertThat(access).hasSize(1);
        assertThat(access.get(0).path("name").asText()).isEqualTo("team-a/app");
        assertThat(access.get(0).path("actions").toString()).isEqualTo("[\"pull\"]");
        assertThat(access(token(user, password, "repository:team-b/app:pull"))).as("outside its grant").isEmpty();
        assertThat(token(user, "x".repeat(43), "repository:team-a/app:pull").statusCode()).isEqualTo(401);

        cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName("pull").delete();
        await("robot refused", () -> {
            try {
                return token(user, password, "repository:team-a/app:pull").statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, status -> status == 401);
        await("Secret deleted", () -> cluster.client.secrets().inNamespace("team-a").withName("team-a-pull").get()
                == null, gone -> gone);
    }
}
