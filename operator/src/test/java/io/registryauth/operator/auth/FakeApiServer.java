package io.registryauth.operator.auth;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Fabric8 mock API server: CRUD storage for ServiceAccounts, and TokenReviews answered the way a real
 * API server answers them for the tokens it issued with {@link #issue}: unauthenticated when the token is
 * unknown, expired (by the server's own clock), of a deleted service account, or bound to none of the
 * requested audiences; otherwise the service account's user, its groups and the shared audiences.
 */
final class FakeApiServer implements AutoCloseable {
    static final String REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    /** What the API server assumes when a review names no audience. */
    static final String API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private record Issued(String namespace, String name, String uid, List<String> audiences, Instant exp) {
    }

    final KubernetesMockServer server;
    final KubernetesClient client;
    /** The API server's clock, which decides token expiry on its side. */
    volatile Instant now;
    /** Every review request's audiences, in order. */
    final List<List<String>> reviewedAudiences = new CopyOnWriteArrayList<>();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    /** Existing service accounts, kept beside the CRUD store: a reply may not call back into this server. */
    private final Map<String, String> serviceAccounts = new ConcurrentHashMap<>();

    /** A server whose tokenreviews answer as a real one would. */
    FakeApiServer(Instant now) {
        this(now, true);
    }

    /** {@code answerReviews} false leaves tokenreviews to expectations the test sets on {@link #server}. */
    FakeApiServer(Instant now, boolean answerReviews) {
        this.now = now;
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient(new VertxHttpClientFactory());
        if (answerReviews) {
            server.expect().post().withPath(REVIEWS).andReply(201, this::review).always();
        }
    }

    /** Creates the service account with a fresh uid, as an API server does (a recreated one is another). */
    void createServiceAccount(String namespace, String name) {
        String uid = java.util.UUID.randomUUID().toString();
        var created = client.resource(new ServiceAccountBuilder().withNewMetadata().withNamespace(namespace)
                .withName(name).withUid(uid).endMetadata().build()).create();
        // The mock API server may assign its own uid, as a real one does: the stored object's is the one.
        String stored = created.getMetadata().getUid();
        serviceAccounts.put(namespace + ":" + name, stored == null ? uid : stored);
    }

    void deleteServiceAccount(String namespace, String name) {
        client.serviceAccounts().inNamespace(namespace).withName(name).delete();
        serviceAccounts.remove(namespace + ":" + name);
    }

    /** The uid the service account has now (null when it does not exist). */
    String uid(String namespace, String name) {
        return serviceAccounts.get(namespace + ":" + name);
    }

    /** A projected token as the kubelet gets it: bound to {@code audiences}, expiring at {@code exp}. */
    String issue(String namespace, String name, List<String> audiences, Instant exp) {
        String payload = "{\"aud\":" + jsonList(audiences) + ",\"exp\":" + exp.getEpochSecond()
                + ",\"iat\":" + now.getEpochSecond() + ",\"iss\":\"https://kubernetes.default.svc.cluster.local\""
                + ",\"kubernetes.io\":{\"namespace\":\"" + namespace + "\",\"serviceaccount\":{\"name\":\"" + name
                + "\",\"uid\":\"6f1c\"}},\"nbf\":" + now.getEpochSecond()
                + ",\"sub\":\"system:serviceaccount:" + namespace + ":" + name + "\"}";
        String token = jws(payload);
        issued.put(token, new Issued(namespace, name, uid(namespace, name), audiences, exp));
        return token;
    }

    /** A legacy Secret-based token: the old claim form, no audience, no exp. */
    String issueLegacy(String namespace, String name) {
        String payload = "{\"iss\":\"kubernetes/serviceaccount\",\"kubernetes.io/serviceaccount/namespace\":\""
                + namespace + "\",\"kubernetes.io/serviceaccount/secret.name\":\"" + name + "-token-x7k2p\","
                + "\"kubernetes.io/serviceaccount/service-account.name\":\"" + name + "\","
                + "\"kubernetes.io/serviceaccount/service-account.uid\":\"6f1c\","
                + "\"sub\":\"system:serviceaccount:" + namespace + ":" + name + "\"}";
        String token = jws(payload);
        // Legacy tokens are accepted for the API server's own audience, which a review of them reports.
        issued.put(token, new Issued(namespace, name, uid(namespace, name), List.of(), null));
        return token;
    }

    static String jws(String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("not-checked-by-the-realm".getBytes(StandardCharsets.UTF_8));
    }

    private static String jsonList(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]")
                .orElse("[]");
    }

    private String review(RecordedRequest request) {
        TokenReview review = client.getKubernetesSerialization().unmarshal(request.getUtf8Body(), TokenReview.class);
        List<String> asked = review.getSpec().getAudiences() == null ? List.of() : review.getSpec().getAudiences();
        reviewedAudiences.add(asked);
        review.setStatus(status(review.getSpec().getToken(), asked.isEmpty() ? List.of(API_AUDIENCE) : asked));
        return client.getKubernetesSerialization().asJson(review);
    }

    private TokenReviewStatus status(String token, List<String> asked) {
        Issued t = issued.get(token);
        if (t == null) {
            return unauthenticated("invalid bearer token");
        }
        if (t.exp() != null && !now.isBefore(t.exp())) {
            return unauthenticated("[invalid bearer token, token has expired]");
        }
        if (!Objects.equals(serviceAccounts.get(t.namespace() + ":" + t.name()), t.uid())) {
            return unauthenticated("[invalid bearer token, service account " + t.namespace() + "/" + t.name()
                    + " has been deleted]");
        }
        List<String> tokenAudiences = t.audiences().isEmpty() ? List.of(API_AUDIENCE) : t.audiences();
        List<String> shared = new ArrayList<>(asked);
        shared.retainAll(tokenAudiences);
        if (shared.isEmpty()) {
            return unauthenticated("[invalid bearer token, token audiences " + tokenAudiences
                    + " is invalid for the target audiences " + asked + "]");
        }
        return new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(shared)
                .withNewUser()
                .withUsername("system:serviceaccount:" + t.namespace() + ":" + t.name())
                .withUid(t.uid())
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + t.namespace(),
                        "system:authenticated")
                .endUser()
                .build();
    }

    private static TokenReviewStatus unauthenticated(String error) {
        return new TokenReviewStatusBuilder().withAuthenticated(false).withError(error).build();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
