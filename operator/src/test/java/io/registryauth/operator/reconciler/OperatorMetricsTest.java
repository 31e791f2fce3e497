package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static io.registryauth.realm.http.MetricsText.find;
import static io.registryauth.realm.http.MetricsText.value;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The realm's /metrics, served as in production: the token server's series beside the reconcilers' and the JVM's. */
class OperatorMetricsTest {
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

    private String get(String path) {
        try {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void reconcilesOfBothControllersShowUpBesideTheTokenServersSeries() {
        RegistryAuth auth = cluster.client.resource(cluster.registryAuth("registry", "main", "registry.example.com"))
                .create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        RepositoryAccess grant = new RepositoryAccess();
        grant.getMetadata().setNamespace("team-a");
        grant.getMetadata().setName("pull");
        grant.getSpec().setRegistry(new RegistryRef("main", "registry"));
        grant.getSpec().setRepositories(List.of("team-a/**"));
        grant.getSpec().setActions(List.of(RepositoryAction.PULL));
        cluster.client.resource(grant).create();
        // Reconciled (not Ready: it names no subject), which is all this test needs.
        await("grant reconciled", () -> cluster.client.resource(grant).get(), g -> g.getStatus() != null
                && g.getStatus().condition("Ready").isPresent());

        String text = await("an anonymous token counted", () -> {
            get("/token?service=registry.example.com&scope=repository:team-a/app:pull");
            return get("/metrics");
        }, t -> find(t, "registry_auth_token_requests_total", "service", "registry.example.com",
                "outcome", "unauthorized").isPresent());

        for (String controller : List.of("registryauth", "repositoryaccess")) {
            assertThat(value(text, "operator_sdk_controllers_execution_reconcile_success_total",
                    "controller", controller, "type", "resource")).isGreaterThanOrEqualTo(1);
            List<String> buckets = text.lines().filter(l -> l.startsWith(
                    "operator_sdk_controllers_execution_reconcile_seconds_bucket{controller=\"" + controller + "\"")).toList();
            // Eleven bounds and +Inf, not the seventy of a percentile histogram.
            assertThat(buckets).hasSize(12).anyMatch(l -> l.contains("le=\"0.005\"")).anyMatch(l -> l.contains("le=\"10.0\""));
        }
        // JOSDK's gauge reads the first operator of this test process, not necessarily this one: present is all.
        assertThat(find(text, "operator_sdk_reconciliations_queue_size_registryauth", "group", "registryauth.io",
                "kind", "RegistryAuth", "version", "v1alpha1")).isPresent();
        assertThat(text).contains("operator_sdk_reconciliations_started_total{group=\"registryauth.io\",kind=\"RepositoryAccess\"");
        assertThat(value(text, "registry_auth_audit_dropped_total")).isEqualTo(0);
        // This server's own cache, though earlier servers of this test process registered the same series.
        assertThat(value(text, "registry_auth_credential_cache_misses_total")).isGreaterThanOrEqualTo(0);
        assertThat(value(text, "registry_auth_work_queued", "lane", "hash")).isEqualTo(0);
        assertThat(text).contains("# TYPE jvm_memory_used_bytes gauge").contains("# TYPE jvm_threads_live_threads gauge");
    }
}
