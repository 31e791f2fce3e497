package io.registryauth.realm.it;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The token realm under test: a {@link TokenServer} on 127.0.0.1 with an ephemeral port, fed snapshots built
 * from {@link RealmSpec}s exactly as the operator feeds it (htpasswd content, compiled grants, a key ring).
 */
public final class TestRealm implements AutoCloseable {
    public static final String SERVICE = "registry.it.test";
    public static final String ISSUER = "registry-auth-it";
    /** Cost 4 keeps the suite fast; the realm does not care which cost a hash was made with. */
    private static final int BCRYPT_COST = 4;

    private final Vertx vertx;
    private final HttpServer server;
    private final RealmState state;
    /** Kept across snapshots, so refresh tokens survive a swap and only the re-check can refuse them. */
    private final byte[] refreshTokenKey = new byte[32];

    private TestRealm(Vertx vertx, HttpServer server, RealmState state) {
        this.vertx = vertx;
        this.server = server;
        this.state = state;
        new SecureRandom().nextBytes(refreshTokenKey);
    }

    /** Starts an empty realm; {@link #load} gives it its first snapshot. */
    public static TestRealm start(TokenServer.Options options) throws Exception {
        Vertx vertx = Vertx.vertx();
        RealmState state = new RealmState();
        try {
            HttpServer server = TokenServer.start(vertx, state, options, "127.0.0.1", 0)
                    .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            return new TestRealm(vertx, server, state);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    public String tokenUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/token";
    }

    public TokenClient client() {
        return new TokenClient(tokenUrl(), SERVICE);
    }

    /** Swaps in the snapshot {@code spec} describes, with the values of further identity sources. */
    public void load(RealmSpec spec, Object... sources) {
        RealmConfig config = new RealmConfig("it/" + SERVICE, SERVICE, ISSUER, tokenUrl(), Duration.ofMinutes(15),
                Duration.ofHours(1), spec.keys(), refreshTokenKey, spec.anonymous(),
                Htpasswd.parse(htpasswd(spec.passwords()), groups(spec.groups())), Policy.compile(spec.grants()));
        for (Object source : sources) {
            config = config.with(source);
        }
        state.swap(RealmSnapshot.of(List.of(config)));
    }

    /** htpasswd content as {@code htpasswd -B} writes it. */
    static String htpasswd(Map<String, String> passwords) {
        StringBuilder content = new StringBuilder();
        new TreeMap<>(passwords).forEach((user, password) -> content.append(user).append(':')
                .append(new String(BCrypt.with(BCrypt.Version.VERSION_2Y).hash(BCRYPT_COST,
                        password.toCharArray()), StandardCharsets.US_ASCII))
                .append('\n'));
        return content.toString();
    }

    /** The htpasswd groups file: one {@code group: user1,user2} line per group. */
    static String groups(Map<String, List<String>> groups) {
        StringBuilder content = new StringBuilder();
        new TreeMap<>(groups).forEach((group, members) -> content.append(group).append(": ")
                .append(String.join(",", members)).append('\n'));
        return content.toString();
    }

    /** A signing key with a self-signed certificate valid for a day. */
    public static SigningKey newKey(SigningAlgorithm algorithm, String commonName) {
        return SigningKey.generate(algorithm, commonName, Instant.now(), Duration.ofDays(1));
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
