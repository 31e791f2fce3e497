package io.registryauth.operator.dev;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestSpec;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.registryauth.operator.Clients;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes API of dev mode: Fabric8's mock server in CRUD mode on 127.0.0.1, plain HTTP. It stores
 * whatever it is sent and serves watches, which is all the operator and the feed need without a cluster.
 * Beyond storage it does what service-account login needs: it issues service-account tokens
 * ({@code kubectl create token}, the TokenRequest subresource) and answers TokenReviews for them.
 *
 * <p>The mock server finds the object a write names by matching its attributes against every stored object's,
 * so each create, update and patch costs time in proportion to everything stored: with 10,000 grants that was
 * most of the dev mode's start. {@link Dispatcher} keeps an index from object name to the stored keys of that
 * name and looks there first.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    /** The mock server logs every request at INFO through java.util.logging; held so the level sticks. */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final Dispatcher dispatcher;
    private final KubernetesClient client;

    private EmbeddedApiServer(KubernetesMockServer server, Dispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
        // Built as in production (transport and tolerant reading of custom resources).
        this.client = server.createClient(Clients::configure);
    }

    /** Starts the server on 127.0.0.1 at {@code port} (0 = any free port). */
    public static EmbeddedApiServer start(int port) {
        return start(port, Clock.systemUTC());
    }

    /** As {@link #start(int)}, with {@code clock} deciding when service-account tokens expire. */
    static EmbeddedApiServer start(int port, Clock clock) {
        Dispatcher dispatcher = new Dispatcher(clock);
        MockWebServer web = new MockWebServer();
        dispatcher.recorded = web;
        KubernetesMockServer server = new KubernetesMockServer(new Context(), web, new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new EmbeddedApiServer(server, dispatcher);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** What the store answered a {@link #write}: the HTTP status code and the body (the object, or a Status). */
    public record Reply(int code, String body) {
        public boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    /**
     * Hands one write ({@code POST}, {@code PUT} or {@code DELETE} of {@code path}, a JSON body or null) to the
     * store in this process, where the same request over HTTP would end: the same checks, resource versions,
     * generations and watch events, without a client, a socket or the HTTP server on the way. The dev mode
     * sends its manifests this way; with ten thousand documents at a start, the round trips cost more than
     * the store.
     */
    public Reply write(String method, String path, String json) {
        Headers headers = Headers.builder().add("Content-Type", "application/json").build();
        Buffer body = new Buffer(json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8));
        MockResponse response = dispatcher.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path,
                headers, body));
        if (response == null) {
            return new Reply(405, "");
        }
        return new Reply(response.code(), response.getBody() == null ? "" : response.getBody().readUtf8());
    }

    /** How many received requests the HTTP server still holds; takes them (for tests). */
    int heldRequests() {
        return dispatcher.heldRequests();
    }

    /** A client for this server; owned by this object and closed with it. */
    public KubernetesClient client() {
        return client;
    }

    /** Writes a kubeconfig that points kubectl (or any client) at this server, namespace "default". */
    public void writeKubeconfig(Path file) throws IOException {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: registry-auth-dev
                  cluster:
                    server: %s
                users:
                - name: registry-auth-dev
                  user: {}
                contexts:
                - name: registry-auth-dev
                  context:
                    cluster: registry-auth-dev
                    user: registry-auth-dev
                    namespace: default
                current-context: registry-auth-dev
                """.formatted(url());
        StateFiles.write(file, kubeconfig);
    }

    /**
     * CRUD storage, plus the two service-account calls: TokenRequest creates no object (it answers with a
     * token) and TokenReview is answered, never stored, as on a real API server.
     */
    private static final class Dispatcher extends KubernetesCrudDispatcher {
        private static final Pattern TOKEN_REQUEST =
                Pattern.compile("/api/v1/namespaces/([^/?]+)/serviceaccounts/([^/?]+)/token");
        private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";

        private final KubernetesSerialization json = new KubernetesSerialization();
        private final ServiceAccountTokens tokens;
        /** Stored keys by the object's name; written only under the server's write lock, like the store. */
        private final Map<String, Set<AttributeSet>> byName = new ConcurrentHashMap<>();
        /** Cleared for good should a stored key ever differ from the one recomputed here (then every lookup scans). */
        private volatile boolean indexed = true;
        /** The HTTP server, which keeps every request it hands over for tests to take; see {@link #forgetOne}. */
        private volatile MockWebServer recorded;

        Dispatcher(Clock clock) {
            super(List.of());
            tokens = new ServiceAccountTokens(clock, this::serviceAccountUid);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            forgetOne();
            if (!"POST".equalsIgnoreCase(request.getMethod())) {
                return super.dispatch(request);
            }
            String path = request.getPath();
            int query = path.indexOf('?');
            path = query < 0 ? path : path.substring(0, query);
            Matcher tokenRequest = TOKEN_REQUEST.matcher(path);
            if (tokenRequest.matches()) {
                return issue(tokenRequest.group(1), tokenRequest.group(2), request.getUtf8Body());
            }
            if (path.equals(TOKEN_REVIEWS)) {
                return review(request.getUtf8Body());
            }
            return super.dispatch(request);
        }

        /**
         * The mock HTTP server queues every request it receives, body and all, so that a test can take them; a
         * dev mode running for weeks would hold every status write and manifest it was ever sent. One queued
         * request is dropped per request dispatched, so the queue stays as short as the requests in flight.
         */
        private void forgetOne() {
            MockWebServer web = recorded;
            if (web == null) {
                return;
            }
            try {
                web.takeRequest(0, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** How many requests the HTTP server still holds (drains them: for tests). */
        int heldRequests() {
            int held = 0;
            try {
                while (recorded.takeRequest(0, TimeUnit.NANOSECONDS) != null) {
                    held++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return held;
        }

        private MockResponse issue(String namespace, String name, String body) {
            TokenRequest request;
            try {
                request = json.unmarshal(body, TokenRequest.class);
            } catch (RuntimeException e) {
                return status(400, "BadRequest", "the TokenRequest could not be read");
            }
            TokenRequestSpec spec = request.getSpec() == null ? new TokenRequestSpec() : request.getSpec();
            ServiceAccountTokens.Issued issued;
            try {
                issued = tokens.issue(namespace, name, spec.getAudiences(), spec.getExpirationSeconds());
            } catch (ServiceAccountTokens.Invalid e) {
                return status(422, "Invalid", e.getMessage());
            } catch (NoSuchElementException e) {
                return status(404, "NotFound", "serviceaccounts \"" + name + "\" not found");
            }
            if (spec.getExpirationSeconds() == null) {
                spec.setExpirationSeconds(ServiceAccountTokens.DEFAULT_EXPIRATION.toSeconds());
            }
            request.setSpec(spec);
            request.setStatus(new TokenRequestStatus(issued.expires().toString(), issued.token()));
            return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
                    .setBody(json.asJson(request));
        }

        private MockResponse review(String body) {
            TokenReview review;
            try {
                review = json.unmarshal(body, TokenReview.class);
            } catch (RuntimeException e) {
                return status(400, "BadRequest", "the TokenReview could not be read");
            }
            if (review.getSpec() == null || review.getSpec().getToken() == null) {
                return status(422, "Invalid", "spec.token: Required value");
            }
            review.setStatus(tokens.review(review.getSpec().getToken(), review.getSpec().getAudiences()));
            return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
                    .setBody(json.asJson(review));
        }

        /**
         * The stored object the attributes name: for a plain name, among the stored keys of that name only (the
         * mock server's own lookup compares with every stored key); for anything else, as the mock server does.
         */
        @Override
        public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
            String name = plainName(attributes);
            if (name == null || !indexed) {
                return super.findResource(attributes);
            }
            for (AttributeSet candidate : byName.getOrDefault(name, Set.of())) {
                String stored = map.get(candidate);
                if (stored != null && candidate.matches(attributes)) {
                    return Map.entry(candidate, stored);
                }
            }
            return null;
        }

        /**
         * Stores as the mock server does, then files the new key (computed as the mock server computes it). A
         * write that hands over only the stored JSON (an update, a patch) is read once here for both.
         */
        @Override
        public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                                 GenericKubernetesResource resource, String newState) {
            if (resource == null && newState != null && !newState.isEmpty()) {
                resource = Serialization.unmarshal(newState, GenericKubernetesResource.class);
            }
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            if (oldAttributes != null) {
                String old = plainName(oldAttributes);
                if (old != null) {
                    byName.computeIfPresent(old, (n, keys) -> {
                        keys.remove(oldAttributes);
                        return keys.isEmpty() ? null : keys;
                    });
                }
            }
            if (newState == null) {
                return;
            }
            KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) getAttributeExtractor();
            AttributeSet key = resource != null ? extractor.extract(resource) : new AttributeSet();
            if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                key = AttributeSet.merge(pathAttributes, key);
            }
            String name = plainName(key);
            if (name == null || !map.containsKey(key)) {
                indexed = false;
                return;
            }
            byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(key);
        }

        /** The name an attribute set asks for exactly, or null (none, several, a wildcard, another operator). */
        private static String plainName(AttributeSet attributes) {
            Attribute name = attributes.getAttribute(KubernetesAttributesExtractor.NAME);
            if (name == null || name.getType() != AttributeType.WITH || name.getValues().size() != 1) {
                return null;
            }
            String value = String.valueOf(name.getValues().get(0));
            return value.equals("*") ? null : value;
        }

        /** Read from the store directly: a dispatcher must not call back into its own server. */
        private Optional<String> serviceAccountUid(String namespace, String name) {
            MockResponse found = handleGet("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + name);
            if (found.code() != 200) {
                return Optional.empty();
            }
            ServiceAccount account = json.unmarshal(found.getBody().readUtf8(), ServiceAccount.class);
            return Optional.ofNullable(account.getMetadata().getUid());
        }

        private MockResponse status(int code, String reason, String message) {
            Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                    .withMessage(message).build();
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                    .setBody(json.asJson(status));
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
