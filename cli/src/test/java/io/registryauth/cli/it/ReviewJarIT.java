package io.registryauth.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.Clients;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jars: {@code registry-auth.jar} hands the review commands to {@code registry-auth-review.jar}
 * beside it, offline and against an API server (Fabric8's mock server in CRUD mode, reached through a
 * kubeconfig as a cluster would be).
 */
class ReviewJarIT {
    private static final Path JAR = Path.of(System.getProperty("registryauth.cli.jar", "target/registry-auth.jar"));
    private static final Path EXAMPLES = Path.of("..", "manifests", "examples", "access-review");

    private record Run(int status, String out) {
    }

    private static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("REGISTRY_AUTH_REVIEW_JAR");
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out);
    }

    @Test
    void theSmallJarHandsTheReviewCommandsToTheReviewJarBesideIt() throws Exception {
        assertThat(JAR.resolveSibling("registry-auth-review.jar")).exists();
        Run yes = run(Map.of(), "can-i", "push", "team-a/app", "--as", "alice", "--group", "team-a",
                "--manifests", EXAMPLES.resolve("after").toString());
        assertThat(yes.status()).as(yes.out()).isZero();
        assertThat(yes.out()).startsWith("yes: user alice, groups team-a may push team-a/app");
        Run diff = run(Map.of(), "access-diff", "--before", EXAMPLES.resolve("before").toString(), "--after",
                EXAMPLES.resolve("after").toString(), "--format", "markdown");
        assertThat(diff.status()).as(diff.out()).isEqualTo(3);
        assertThat(diff.out()).contains("| **added** | registry/main | User auditor |");
        Run missing = run(Map.of("REGISTRY_AUTH_REVIEW_JAR", "/nonexistent/review.jar"), "who-can", "pull", "a/b");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.out()).contains("/nonexistent/review.jar");
    }

    @Test
    void clusterModeReadsTheObjectsThroughTheKubeconfig(@TempDir Path dir) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient(Clients::configure)) {
            KubernetesSerialization yaml = new KubernetesSerialization();
            for (String file : List.of("registryauth.yaml", "grants.yaml")) {
                Object parsed = yaml.unmarshal(Files.readString(EXAMPLES.resolve("before").resolve(file)));
                List<?> objects = parsed instanceof List<?> list ? list : List.of(parsed);
                for (Object o : objects) {
                    Map<?, ?> map = yaml.convertValue(o, Map.class);
                    Class<? extends HasMetadata> type = "RegistryAuth".equals(map.get("kind")) ? RegistryAuth.class
                            : RepositoryAccess.class;
                    client.resource(yaml.convertValue(map, type)).create();
                }
            }
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                    users: [{name: reviewer, user: {token: read-only}}]
                    contexts: [{name: mock, context: {cluster: mock, user: reviewer}}]
                    current-context: mock
                    """.formatted(client.getMasterUrl()));
            Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());
            Run who = run(env, "who-can", "push", "team-a/app");
            assertThat(who.status()).as(who.out()).isZero();
            assertThat(who.out()).contains("Group team-a").contains("team-a/app-developers")
                    .contains("ServiceAccount team-a:ci").contains("User carol");
            // Before = the cluster, after = the directory of the pull request.
            Run diff = run(env, "access-diff", "--after", EXAMPLES.resolve("after").toString(), "--format", "text");
            assertThat(diff.status()).as(diff.out()).isEqualTo(3);
            assertThat(diff.out()).contains("- registry/main User carol team-a/** pull,push (team-a/contractor)");
        } finally {
            server.destroy();
        }
    }
}
