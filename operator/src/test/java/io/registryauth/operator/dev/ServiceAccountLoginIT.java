package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service-account login through the dev mode and the real registry: a token issued by the dev mode's API
 * ({@code kubectl create token}) is the password skopeo pushes with, under any user name or the
 * {@code system:serviceaccount:} one; the realm asks the same API for a TokenReview. A token for another
 * audience, one of a service account without a grant, and one of a deleted service account are refused.
 */
class ServiceAccountLoginIT {
    private static final String SERVICE = "it-serviceaccounts";
    private static final String TEAM = "team-a";
    private static final Duration WAIT = Duration.ofMinutes(2);

    private Path work;
    private Path manifests;
    private Path state;
    private DevModeProcess dev;
    private RegistryServer registry;
    private KubernetesClient api;

    @BeforeEach
    void start() throws Exception {
        Programs.require("docker-registry");
        Programs.require("skopeo");
        work = Files.createTempDirectory("serviceaccount-login-it");
        manifests = Files.createDirectories(work.resolve("manifests"));
        state = work.resolve("state");
        Path env = state.resolve("registries/registry/main/" + RegistryFiles.ENV_FILE);
        registry = new RegistryServer(work.resolve("registry"), env);
        Files.writeString(manifests.resolve("01-registry.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: main
                  namespace: registry
                spec:
                  service: %s
                  registry: {host: "%s"}
                  authentication:
                    serviceAccounts: {enabled: true}
                """.formatted(SERVICE, registry.address()));
        // A team's CI: its builder pushes the team's repositories (a grant in the team's own namespace,
        // inside the default tenancy "${namespace}/**"); its tester has no grant.
        Files.writeString(manifests.resolve("02-team-a.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: builder
                  namespace: %1$s
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: ci-push
                  namespace: %1$s
                spec:
                  registry: {name: main, namespace: registry}
                  subjects: [{kind: ServiceAccount, name: builder, namespace: %1$s}]
                  repositories: ["%1$s/**"]
                  actions: [pull, push]
                """.formatted(TEAM));
        Files.writeString(manifests.resolve("03-tester.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: tester
                  namespace: %s
                """.formatted(TEAM));
        dev = DevModeProcess.start(manifests, state, work.resolve("dev-mode.log"));
        awaitFile(env);
        registry.start();
        api = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(Config.fromKubeconfig(Files.readString(awaitFile(state.resolve("kubeconfig")))))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (dev != null) {
            dev.close();
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What {@code kubectl create token <name> -n team-a --audience <audience>} prints. */
    private String token(String name, String audience) {
        return api.serviceAccounts().inNamespace(TEAM).withName(name).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withAudiences(audience).endSpec().build()).getStatus().getToken();
    }

    @Test
    void aServiceAccountPushesWithItsTokenAndOnlyWhileItExists() throws Exception {
        Skopeo skopeo = new Skopeo(work);
        Path image = OciLayout.write(work.resolve("image"), "v1", "built by the team's CI");
        String builderToken = token("builder", SERVICE);
        // Issued now, first used after the service account is gone: no review of it can be cached.
        String unusedToken = token("builder", SERVICE);

        assertSucceeded(awaitGrantEnforced(skopeo, image, builderToken));
        assertSucceeded(skopeo.pull(registry.address(), TEAM + "/app", "v1", "ci:" + builderToken));
        // skopeo splits "user:password" at the first ':'; the realm puts the long user name back together.
        assertSucceeded(skopeo.push(image, "v1", registry.address(), TEAM + "/app",
                "system:serviceaccount:" + TEAM + ":builder:" + builderToken));

        Skopeo.Result otherAudience = skopeo.push(image, "v1", registry.address(), TEAM + "/app",
                "ci:" + token("builder", "https://kubernetes.default.svc.cluster.local"));
        assertThat(otherAudience.ok()).as("pushed with a token for another audience").isFalse();
        assertThat(otherAudience.output()).containsIgnoringCase("unauthorized");

        Skopeo.Result wrongName = skopeo.push(image, "v1", registry.address(), TEAM + "/app",
                "system:serviceaccount:" + TEAM + ":tester:" + builderToken);
        assertThat(wrongName.ok()).as("pushed with the builder's token under the tester's name").isFalse();
        assertThat(wrongName.output()).containsIgnoringCase("unauthorized");

        Skopeo.Result tester = skopeo.push(image, "v1", registry.address(), TEAM + "/app",
                "ci:" + token("tester", SERVICE));
        assertThat(tester.ok()).as("a service account without a grant pushed").isFalse();
        assertThat(tester.output()).containsIgnoringCase("denied");

        Files.writeString(manifests.resolve("02-team-a.yaml"),
                Files.readString(manifests.resolve("02-team-a.yaml")).replaceFirst(
                        "(?s)apiVersion: v1\\s+kind: ServiceAccount.*?---\\s*", ""));
        awaitServiceAccountGone("builder");
        Skopeo.Result deleted = skopeo.push(image, "v1", registry.address(), TEAM + "/app", "ci:" + unusedToken);
        assertThat(deleted.ok()).as("pushed with the token of a deleted service account").isFalse();
        assertThat(deleted.output()).containsIgnoringCase("unauthorized");
        assertThat(dev.output()).doesNotContain(builderToken).doesNotContain(unusedToken);
    }

    /** The first push, retried until the grant's Accepted state reached the realm (a fresh dev mode). */
    private Skopeo.Result awaitGrantEnforced(Skopeo skopeo, Path image, String token) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Skopeo.Result push = skopeo.push(image, "v1", registry.address(), TEAM + "/app", "ci:" + token);
        while (!push.ok() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            push = skopeo.push(image, "v1", registry.address(), TEAM + "/app", "ci:" + token);
        }
        return push;
    }

    private void awaitServiceAccountGone(String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (api.serviceAccounts().inNamespace(TEAM).withName(name).get() != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("service account " + name + " was not deleted; dev mode said:\n"
                        + dev.output());
            }
            Thread.sleep(100);
        }
    }

    private Path awaitFile(Path file) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.isRegularFile(file)) {
            if (System.nanoTime() > deadline || !dev.process().isAlive()) {
                throw new AssertionError(file + " was not written; dev mode said:\n" + dev.output());
            }
            Thread.sleep(100);
        }
        return file;
    }

    private void assertSucceeded(Skopeo.Result result) throws IOException {
        assertThat(result.ok()).as("skopeo failed:%n%s%nregistry log:%n%s%ndev mode said:%n%s", result.output(),
                registry.log(), dev.output()).isTrue();
    }
}
