package io.registryauth.realm.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A token server on 127.0.0.1 and a free port, serving one realm with a few users and grants. The audit
 * lines it writes are captured in {@link #auditLines()}.
 */
final class RealmFixture implements AutoCloseable {
    static final String SERVICE = "registry.test:5000";
    static final String OTHER_SERVICE = "other-registry.test";
    static final String ISSUER = "registry-auth-test";
    static final String REALM_URL = "https://auth.test/token";
    static final Duration TOKEN_TTL = Duration.ofMinutes(15);

    /** alice: pull+push on team-a/**, catalog. bob: pull only on team-a/**. carol: via group "devs". */
    static final Map<String, String> PASSWORDS = Map.of(
            "alice", "alice-secret-1", "bob", "bob-secret-2", "carol", "carol-secret-3");
    static final List<Grant> GRANTS = List.of(
            new Grant("g/alice", List.of(Subject.user("alice")), List.of("team-a/**", "host.test:5000/team-a/**"),
                    Set.of("pull", "push"), true),
            new Grant("g/alice-delete", List.of(Subject.user("alice")), List.of("team-a/scratch"),
                    Set.of("delete"), false),
            new Grant("g/bob", List.of(Subject.user("bob")), List.of("team-a/**"), Set.of("pull"), false),
            new Grant("g/devs", List.of(Subject.group("devs")), List.of("devs/*"), Set.of("*"), false),
            new Grant("g/public", List.of(Subject.anonymous()), List.of("public/**"), Set.of("pull"), false));

    private static final Map<String, String> HASHES = new HashMap<>();

    final SigningKey key;
    final Vertx vertx;
    final RealmState state;
    final HttpServer server;
    private final List<String> audit;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private RealmFixture(SigningKey key, Vertx vertx, RealmState state, HttpServer server, List<String> audit) {
        this.key = key;
        this.vertx = vertx;
        this.state = state;
        this.server = server;
        this.audit = audit;
    }

    static RealmFixture start() {
        return start(UnaryOperator.identity());
    }

    /** Starts a server whose options are the defaults, the captured audit sink, then {@code customize}. */
    static RealmFixture start(UnaryOperator<TokenServer.Options> customize) {
        SigningKey key = newKey();
        RealmState state = new RealmState(RealmSnapshot.of(List.of(realm(key, SERVICE, true, PASSWORDS.keySet()))));
        return start(key, state, customize);
    }

    static SigningKey newKey() {
        return SigningKey.generate(SigningAlgorithm.ES256, "token-test", Instant.now(), Duration.ofDays(30));
    }

    static RealmFixture start(SigningKey key, RealmState state, UnaryOperator<TokenServer.Options> customize) {
        return start(new VertxOptions(), key, state, customize);
    }

    /** With Vert.x options of the test's choosing (a smaller shared worker pool, say). */
    static RealmFixture start(VertxOptions vertxOptions, SigningKey key, RealmState state,
                              UnaryOperator<TokenServer.Options> customize) {
        Vertx vertx = Vertx.vertx(vertxOptions);
        List<String> audit = Collections.synchronizedList(new ArrayList<>());
        TokenServer.Options options = customize.apply(TokenServer.Options.defaults().withAudit(audit::add));
        try {
            HttpServer server = TokenServer.start(vertx, state, options, "127.0.0.1", 0)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new RealmFixture(key, vertx, state, server, audit);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("token server did not start", e);
        }
    }

    /** Audit lines written so far. */
    List<String> auditLines() {
        synchronized (audit) {
            return List.copyOf(audit);
        }
    }

    /**
     * Waits until at least {@code count} audit lines exist: a line is written when the answer has
     * ended, which can be a moment after the client read it.
     */
    List<String> awaitAuditLines(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (auditLines().size() < count && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return auditLines();
    }

    /** A realm for {@code service} whose htpasswd holds only {@code users} (from {@link #PASSWORDS}). */
    static RealmConfig realm(SigningKey key, String service, boolean anonymous, Set<String> users) {
        return realm(key, service, anonymous, users, Duration.ofHours(8));
    }

    static RealmConfig realm(SigningKey key, String service, boolean anonymous, Set<String> users,
                             Duration refreshTtl) {
        StringBuilder htpasswd = new StringBuilder();
        users.stream().sorted().forEach(u -> htpasswd.append(u).append(':').append(hash(u)).append('\n'));
        Map<String, StaticUser> parsed = Htpasswd.parse(htpasswd.toString(), "devs: carol\n");
        byte[] refreshKey = ("refresh-token-key-for-" + service + "-0123456789abcdef").getBytes(StandardCharsets.UTF_8);
        return new RealmConfig("test/" + service, service, ISSUER, REALM_URL, TOKEN_TTL, refreshTtl,
                KeyRing.of(key), refreshKey, anonymous, parsed, Policy.compile(GRANTS));
    }

    private static synchronized String hash(String user) {
        return HASHES.computeIfAbsent(user, u -> BCrypt.with(BCrypt.Version.VERSION_2Y)
                .hashToString(4, PASSWORDS.get(u).toCharArray()));
    }

    void swap(RealmConfig... realms) {
        state.swap(RealmSnapshot.of(List.of(realms)));
    }

    int port() {
        return server.actualPort();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build());
    }

    HttpResponse<String> get(String pathAndQuery, String user) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery))
                .header("Authorization", basic(user, PASSWORDS.get(user))).GET().build());
    }

    HttpResponse<String> get(String pathAndQuery, String user, String password) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Authorization", basic(user, password))
                .GET().build());
    }

    HttpResponse<String> postForm(String form) {
        return send(HttpRequest.newBuilder(uri("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends raw bytes (for requests HttpClient refuses to build) and returns the whole answer as text. */
    String raw(byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String tokenQuery(String... scopes) {
        StringBuilder q = new StringBuilder("/token?service=" + SERVICE);
        for (String scope : scopes) {
            q.append("&scope=").append(scope);
        }
        return q.toString();
    }

    static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    /** The decoded header and payload of a compact JWS. */
    static JsonObject[] decode(String jws) {
        String[] parts = jws.split("\\.");
        Base64.Decoder url = Base64.getUrlDecoder();
        return new JsonObject[] {
                new JsonObject(new String(url.decode(parts[0]), StandardCharsets.UTF_8)),
                new JsonObject(new String(url.decode(parts[1]), StandardCharsets.UTF_8))};
    }

    static Clock fixedClock(Instant instant) {
        return Clock.fixed(instant, java.time.ZoneOffset.UTC);
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("vertx did not close", e);
        }
    }
}
