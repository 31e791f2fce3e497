package io.registryauth.operator.feed;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What the scale benchmarks ask of a running operator or dev mode: tokens, Ready grants, and waiting. */
public final class ScaleProbes {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ScaleProbes() {
    }

    /** A condition polled until it holds. */
    public interface Check {
        boolean done() throws Exception;
    }

    /**
     * The payload of the token {@code realm} gives user{@code n} (password pw{@code n}) for {@code actions} on
     * team-{@code grant}/app, as JSON; empty when it answers anything but 200.
     */
    public static String granted(String realm, String service, int user, int grant, String actions)
            throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString(("user" + user + ":pw" + user)
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(realm + "?service=" + service
                        + "&scope=" + URLEncoder.encode("repository:team-" + grant + "/app:" + actions,
                        StandardCharsets.UTF_8))).header("Authorization", "Basic " + basic)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return "";
        }
        String token = response.body().replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    /** How many grants in {@code namespace} have Ready=True, as listed from the API server. */
    private static long ready(KubernetesClient client, String namespace) {
        return client.resources(RepositoryAccess.class).inNamespace(namespace).list().getItems().stream()
                .filter(g -> g.getStatus() != null && g.getStatus().getConditions() != null
                        && g.getStatus().getConditions().stream().anyMatch(ScaleProbes::readyTrue))
                .count();
    }

    /**
     * Counts the grants in a namespace whose Ready is True as their changes arrive over one watch, as
     * {@code kubectl get -w} would see them. Listing every grant again and again cost the API server and the
     * operator's two cores more than the status writes being waited for; a watch costs one event per write.
     */
    private static final class ReadyCount implements AutoCloseable {
        private final Set<String> ready = ConcurrentHashMap.newKeySet();
        private final SharedIndexInformer<RepositoryAccess> informer;

        public ReadyCount(KubernetesClient client, String namespace) {
            informer = client.resources(RepositoryAccess.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(RepositoryAccess grant) {
                    note(grant);
                }

                @Override
                public void onUpdate(RepositoryAccess before, RepositoryAccess grant) {
                    note(grant);
                }

                @Override
                public void onDelete(RepositoryAccess grant, boolean unknownFinalState) {
                    ready.remove(grant.getMetadata().getName());
                }
            }, 0);
        }

        private void note(RepositoryAccess grant) {
            boolean isReady = grant.getStatus() != null && grant.getStatus().getConditions() != null
                    && grant.getStatus().getConditions().stream().anyMatch(ScaleProbes::readyTrue);
            if (isReady) {
                ready.add(grant.getMetadata().getName());
            } else {
                ready.remove(grant.getMetadata().getName());
            }
        }

        public int count() {
            return ready.size();
        }

        @Override
        public void close() {
            informer.close();
        }
    }

    private static boolean readyTrue(Condition c) {
        return "Ready".equals(c.getType()) && "True".equals(c.getStatus());
    }

    /**
     * Waits until {@code expected} grants in {@code namespace} are Ready, looking every {@code every}: counted over
     * one watch ({@link ReadyCount}), or with {@code -Dregistryauth.bench.readyProbe=list} by listing every grant
     * each {@code listEvery} (the probe the scale benchmarks first had, kept to compare with).
     */
    public static void waitForReady(KubernetesClient client, String namespace, long expected, Process process,
                                    Duration every, Duration listEvery) throws Exception {
        if ("list".equals(System.getProperty("registryauth.bench.readyProbe"))) {
            waitFor("every grant Ready", process, every, () -> {
                Thread.sleep(listEvery.toMillis()); // each look lists every grant
                return ready(client, namespace) == expected;
            });
            return;
        }
        try (ReadyCount watch = new ReadyCount(client, namespace)) {
            waitFor("every grant Ready", process, every, () -> watch.count() == expected);
        }
    }

    /** Polls {@code check} every {@code every} until it holds; fails when {@code process} exits or after 15 minutes. */
    public static void waitFor(String what, Process process, Duration every, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("the process exited (" + process.exitValue() + ") waiting for " + what);
            }
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(every.toMillis());
        }
    }
}
