package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryAuthSpec;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.api.v1alpha1.SecretSource;
import io.registryauth.operator.Clients;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.RegistryAuthOperator;
import io.registryauth.operator.ResourceNames;
import io.registryauth.realm.auth.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A Fabric8 mock API server in CRUD mode with the CRDs installed (so the status subresource works), a
 * client, a settable clock, and the production operator started from {@link OperatorSettings}.
 */
final class MockCluster implements AutoCloseable {
    // Generous: these machines run several builds at once.
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String REALM_URL = "https://auth.example.com/token";
    /** bcrypt (cost 4) of "wonderland", as `htpasswd -B` writes it. */
    static final String ALICE = "alice:$2y$04$zq.aOKP7B1SVUC3SQcnZzulXZo0n8GOB0ogag4Mx6nIm1dmO/BVu2";

    /** The mock server logs every request at INFO; held so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    final KubernetesMockServer server;
    final KubernetesClient client;
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final AtomicInteger pokes = new AtomicInteger();
    private volatile boolean silentRegistryAuthWatches;
    private final AtomicInteger silencedWatches = new AtomicInteger();
    private RegistryAuthOperator operator;

    MockCluster() {
        // Expectations first (the leader-election access check), CRUD storage for everything else.
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations) {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        if (silentRegistryAuthWatches && isRegistryAuthWatch(request.getPath())) {
                            silencedWatches.incrementAndGet();
                            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() { });
                        }
                        return super.dispatch(request);
                    }
                }, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient(Clients::configure);
        installCrd("registryauths.registryauth.io-v1.yml");
        installCrd("repositoryaccesses.registryauth.io-v1.yml");
    }

    private void installCrd(String file) {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/" + file)) {
            if (in == null) {
                throw new IllegalStateException("generated CRD " + file + " is not on the class path");
            }
            client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
                    .create();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isRegistryAuthWatch(String path) {
        int query = path.indexOf('?');
        return query > 0 && path.substring(0, query).endsWith("/registryauths")
                && path.substring(query).contains("watch=true");
    }

    /**
     * From now on RegistryAuth watches opened (by an operator started later) report nothing: its cache keeps
     * what it listed, as an informer that lags behind the API server would.
     */
    void silenceRegistryAuthWatches() {
        silentRegistryAuthWatches = true;
    }

    /** How many RegistryAuth watches were answered with silence. */
    int silencedWatches() {
        return silencedWatches.get();
    }

    OperatorSettings settings() {
        return OperatorSettings.defaults().withPublicRealmUrl(REALM_URL).withClock(clock)
                .withRotationLeadTime(Duration.ofMinutes(10));
    }

    RegistryAuthOperator start(OperatorSettings settings) {
        return start(settings, new RealmProblemSignal());
    }

    RegistryAuthOperator start(OperatorSettings settings, RealmProblemSignal problems) {
        operator = RegistryAuthOperator.start(client, settings, problems);
        return operator;
    }

    void stopOperator() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    @Override
    public void close() {
        stopOperator();
        client.close();
        server.destroy();
    }

    /** A RegistryAuth with an htpasswd Secret for alice, realm from the operator settings. */
    RegistryAuth registryAuth(String namespace, String name, String service) {
        client.resource(htpasswdSecret(namespace)).createOr(r -> r.update());
        RegistryAuth auth = new RegistryAuth();
        auth.getMetadata().setNamespace(namespace);
        auth.getMetadata().setName(name);
        RegistryAuthSpec spec = auth.getSpec();
        spec.setService(service);
        spec.getAuthentication().setHtpasswd(new SecretSource(new SecretKeyReference("registry-users", "htpasswd")));
        return auth;
    }

    static Secret htpasswdSecret(String namespace) {
        return new SecretBuilder().withNewMetadata().withName("registry-users").withNamespace(namespace)
                .endMetadata()
                .withData(Map.of("htpasswd", Base64.getEncoder().encodeToString(
                        (ALICE + "\n").getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    RegistryAuth get(RegistryAuth auth) {
        return client.resources(RegistryAuth.class).inNamespace(auth.getMetadata().getNamespace())
                .withName(auth.getMetadata().getName()).get();
    }

    Secret signingSecret(RegistryAuth auth) {
        return client.secrets().inNamespace(auth.getMetadata().getNamespace())
                .withName(ResourceNames.signingSecret(auth)).get();
    }

    ConfigMap configMap(RegistryAuth auth) {
        return client.configMaps().inNamespace(auth.getMetadata().getNamespace())
                .withName(ResourceNames.registryConfigMap(auth)).get();
    }

    /**
     * Makes the operator look again without changing anything it reads: an annotation on the signing
     * Secret, which its informer reports. Used after moving the clock. A merge patch without a resourceVersion,
     * so a reconcile that writes the Secret at the same moment cannot make it fail with a conflict.
     */
    void poke(RegistryAuth auth) {
        client.secrets().inNamespace(auth.getMetadata().getNamespace()).withName(ResourceNames.signingSecret(auth))
                .patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"test/poke\":\"" + pokes.incrementAndGet() + "\"}}}");
    }

    /** Polls {@code read} until {@code done} holds (bounded); returns the last value. */
    static <T> T await(String what, Supplier<T> read, Predicate<T> done) {
        return await(what, WAIT, read, done);
    }

    /** As {@link #await(String, Supplier, Predicate)}, giving up after {@code wait}. */
    static <T> T await(String what, Duration wait, Supplier<T> read, Predicate<T> done) {
        Instant deadline = Instant.now().plus(wait);
        T last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = read.get();
                if (last != null && done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                // Not there yet (e.g. a field still null): keep polling.
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fail("timed out after " + wait + " waiting for " + what + "; last seen: " + last);
    }
}
