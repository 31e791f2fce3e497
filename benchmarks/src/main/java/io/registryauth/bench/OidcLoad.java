package io.registryauth.bench;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The HTTP load target for {@code benchmarks/wrk/oidc-run.sh}: a local identity provider
 * ({@link BenchIdentityProvider}) and a token server whose realm (service {@value TokenServerLoad#SERVICE})
 * accepts that provider's access tokens as the docker password of user {@value #USER}, who reaches
 * {@code team-a/**} through the token's {@code team-a} group.
 *
 * <p>Modes: {@code cached} writes one JWT (every request after the first is a validation-cache hit);
 * {@code cold} writes {@code tokenCount} distinct JWTs (keys cached, each signature verified once);
 * {@code introspection} writes {@code tokenCount} distinct opaque tokens (one RFC 7662 call each).
 * Prints the realm's port, then the provider's port (its {@code /stats} counts the calls it answered),
 * then serves until killed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.registryauth.bench.OidcLoad <cached|cold|introspection> <port> <tokenCount> <tokensFile>}
 */
public final class OidcLoad {
    static final String USER = "bench";
    private static final String AUDIENCE = "registry.bench";
    private static final List<String> GROUPS = List.of("team-a");

    private enum Mode { CACHED, COLD, INTROSPECTION }

    private OidcLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: OidcLoad <cached|cold|introspection> <port> <tokenCount> <tokensFile>");
            System.exit(2);
        }
        Mode mode = Mode.valueOf(args[0].toUpperCase(Locale.ROOT));
        int port = Integer.parseInt(args[1]);
        int count = mode == Mode.CACHED ? 1 : Integer.parseInt(args[2]);
        Path tokensFile = Path.of(args[3]);

        BenchIdentityProvider provider = new BenchIdentityProvider();
        // Lifetime covers minting, warm-up and the run; the validation cache keeps a verdict 5 minutes at most.
        Instant expiry = Instant.now().plus(Duration.ofHours(2));
        // RS256 signing costs about a millisecond: mint on every core.
        List<String> tokens = IntStream.range(0, count).parallel()
                .mapToObj(i -> mode == Mode.INTROSPECTION
                        ? provider.opaqueToken(USER, GROUPS, AUDIENCE, expiry)
                        : provider.jwt(USER, GROUPS, AUDIENCE, expiry))
                .toList();
        Files.write(tokensFile, tokens, StandardCharsets.US_ASCII);

        OidcProvider configured = new OidcProvider("bench-idp", provider.issuer(), List.of(AUDIENCE),
                "preferred_username", "groups", "", Set.of(),
                mode == Mode.INTROSPECTION ? BenchIdentityProvider.client() : null, null, null);
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "bench", Instant.now(), Duration.ofDays(1));
        byte[] refreshKey = new byte[32];
        new SecureRandom().nextBytes(refreshKey);
        List<Grant> grants = List.of(
                new Grant("bench/team-a", List.of(Subject.group("team-a")), List.of("team-a/**"), Set.of("pull", "push"), false),
                new Grant("bench/shared", List.of(Subject.authenticated()), List.of("shared/*"), Set.of("pull"), false));
        RealmConfig realm = new RealmConfig("bench/oidc", TokenServerLoad.SERVICE, "registry-auth-bench",
                "http://127.0.0.1/token", Duration.ofMinutes(15), Duration.ofHours(8), KeyRing.of(key), refreshKey,
                false, Map.of(), Policy.compile(grants), List.of(configured));

        TokenServer.Options options = TokenServer.Options.defaults()
                .withAuthenticators(List.of(new OidcAuthenticator()))
                .withAudit(line -> { });
        HttpServer server = TokenServer.start(Vertx.vertx(), new RealmState(RealmSnapshot.of(List.of(realm))), options,
                "127.0.0.1", port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println(server.actualPort());
        System.out.println(provider.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
