package io.registryauth.bench;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP load target for {@code benchmarks/wrk/run.sh}: a token server on 127.0.0.1 with one realm
 * (service {@value #SERVICE}), one user {@value #USER} whose password is hashed with bcrypt cost 10 as
 * {@code htpasswd -B} does, {@value #FLOOD_USERS} more users {@code flood-0...} sharing one bcrypt hash (targets
 * for {@code wrong-password.lua}: one hash at start-up, yet every wrong guess costs a full bcrypt run), and
 * a few grants. Prints the port it listens on, then serves until killed.
 * Audit lines are dropped unless the second argument is {@code audit}, which sends them to the default
 * {@code io.registryauth.audit} logger (Logback, on stderr: see the module's logback.xml).
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.registryauth.bench.TokenServerLoad [port [audit]]}
 */
public final class TokenServerLoad {
    static final String SERVICE = "registry.bench:5000";
    static final String USER = "bench";
    static final String PASSWORD = "bench-password";
    static final int FLOOD_USERS = 10_000;

    private TokenServerLoad() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "bench", Instant.now(), Duration.ofDays(1));
        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, PASSWORD.toCharArray());
        StringBuilder htpasswd = new StringBuilder(USER + ":" + hash + "\n");
        for (int i = 0; i < FLOOD_USERS; i++) {
            htpasswd.append("flood-").append(i).append(':').append(hash).append('\n');
        }
        List<Grant> grants = List.of(
                new Grant("bench/team-a", List.of(Subject.user(USER)), List.of("team-a/**"), Set.of("pull", "push"), false),
                new Grant("bench/shared", List.of(Subject.authenticated()), List.of("shared/*"), Set.of("pull"), false),
                new Grant("bench/public", List.of(Subject.anonymous()), List.of("public/**"), Set.of("pull"), false),
                new Grant("bench/admins", List.of(Subject.group("admins")), List.of("**"), Set.of("*"), true));
        byte[] refreshKey = new byte[32];
        new SecureRandom().nextBytes(refreshKey);
        RealmConfig realm = new RealmConfig("bench/realm", SERVICE, "registry-auth-bench", "http://127.0.0.1/token",
                Duration.ofMinutes(15), Duration.ofHours(8), KeyRing.of(key), refreshKey, true,
                Htpasswd.parse(htpasswd.toString(), null), Policy.compile(grants));

        Vertx vertx = Vertx.vertx();
        boolean audit = args.length > 1 && args[1].equals("audit");
        TokenServer.Options options = audit
                ? TokenServer.Options.defaults()
                : TokenServer.Options.defaults().withAudit(line -> { });
        HttpServer server = TokenServer.start(vertx, new RealmState(RealmSnapshot.of(List.of(realm))), options,
                "127.0.0.1", port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println(server.actualPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
