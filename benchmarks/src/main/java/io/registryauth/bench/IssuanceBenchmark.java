package io.registryauth.bench;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.CredentialCache;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.scope.ScopeParser;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * In-process token issuance against the physical limit, one ES256 signature:
 * {@code bareNimbusSignature} signs fixed claims the way a plain Nimbus program would;
 * {@code fullIssuance} parses a two-scope request, authenticates a user from the warm credential
 * cache, authorizes against about 1,000 grants and issues the token. Their throughput ratio is the
 * realm's overhead over the signature.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IssuanceBenchmark {
    private static final String SERVICE = "registry.example.com";
    private static final List<String> SCOPES = List.of("repository:team-a/app:pull,push",
            "repository:shared/base-image:pull");

    private JWSHeader header;
    private JWTClaimsSet claims;
    private ECDSASigner bareSigner;

    private RealmConfig realm;
    private HtpasswdAuthenticator authenticator;
    private Credentials credentials;
    private final AccessTokenIssuer issuer = new AccessTokenIssuer();

    @Setup
    public void setUp() throws JOSEException, CertificateEncodingException {
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "bench", Instant.now(), Duration.ofDays(1));

        // (a) The same header and claims a realm token has, signed by Nimbus alone.
        ECKey bareKey = new ECKeyGenerator(Curve.P_256).generate();
        bareSigner = new ECDSASigner(bareKey);
        header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.kid())
                .x509CertChain(List.of(Base64.encode(key.certificate().getEncoded()))).build();
        long now = Instant.now().getEpochSecond();
        claims = new JWTClaimsSet.Builder().issuer("registry-auth").subject("alice").audience(SERVICE)
                .expirationTime(new Date((now + 900) * 1000)).notBeforeTime(new Date(now * 1000))
                .issueTime(new Date(now * 1000)).jwtID(UUID.randomUUID().toString())
                .claim("access", List.of(
                        Map.of("type", "repository", "name", "team-a/app", "actions", List.of("pull", "push")),
                        Map.of("type", "repository", "name", "shared/base-image", "actions", List.of("pull"))))
                .build();

        // (b) A realm with a bcrypt user whose credentials are already in the cache, and ~1,000 grants.
        String password = "bench-password";
        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, password.toCharArray());
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < 998; i++) {
            grants.add(new Grant("g" + i, List.of(Subject.user("user" + i)), List.of("team-" + i + "/**"),
                    Set.of("pull", "push"), false));
        }
        grants.add(new Grant("developers", List.of(Subject.group("developers")), List.of("team-a/**"),
                Set.of("pull", "push"), false));
        grants.add(new Grant("shared", List.of(Subject.authenticated()), List.of("shared/*"), Set.of("pull"), false));
        byte[] refreshKey = new byte[32];
        realm = new RealmConfig("bench/main", SERVICE, "registry-auth", "https://auth.example.com/token",
                Duration.ofMinutes(15), Duration.ZERO, KeyRing.of(key), refreshKey, false,
                Map.of("alice", new StaticUser("alice", hash, Set.of("developers"))), Policy.compile(grants));
        authenticator = new HtpasswdAuthenticator(new CredentialCache(10_000, Duration.ofHours(1), Clock.systemUTC()));
        credentials = new Credentials("alice", password);
        if (!(authenticator.authenticate(realm, credentials) instanceof AuthResult.Admitted)) {
            throw new IllegalStateException("benchmark user not admitted");
        }
        if (fullIssuance().split("\\.").length != 3 || granted().size() != 2) {
            throw new IllegalStateException("benchmark request not fully granted");
        }
    }

    @Benchmark
    public String bareNimbusSignature() throws JOSEException {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(bareSigner);
        return jwt.serialize();
    }

    @Benchmark
    public String fullIssuance() {
        Identity who = admitted();
        List<ResourceScope> granted = realm.policy().authorize(who, ScopeParser.parse(SCOPES));
        return issuer.issue(realm, who, granted, Instant.now()).token();
    }

    private Identity admitted() {
        if (authenticator.authenticate(realm, credentials) instanceof AuthResult.Admitted admitted) {
            return admitted.identity();
        }
        throw new IllegalStateException("benchmark user rejected");
    }

    /**
     * A load-tolerant cross-check of the JMH ratio for crowded machines: runs (a) and (b) in interleaved
     * batches on one thread and compares the thread CPU time each costs, which other processes
     * competing for the cores distort far less than wall-clock throughput.
     * Usage: {@code java -cp benchmarks.jar io.registryauth.bench.IssuanceBenchmark [rounds]}.
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        IssuanceBenchmark bench = new IssuanceBenchmark();
        bench.setUp();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        int batch = 200;
        long bareNanos = 0;
        long fullNanos = 0;
        int sink = 0;
        for (int round = -3; round < rounds; round++) {
            long start = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < batch; i++) {
                sink += bench.bareNimbusSignature().length();
            }
            long middle = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < batch; i++) {
                sink += bench.fullIssuance().length();
            }
            long end = cpu.getCurrentThreadCpuTime();
            if (round >= 0) { // the first rounds are warm-up
                bareNanos += middle - start;
                fullNanos += end - middle;
            }
        }
        double ops = (double) rounds * batch;
        System.out.printf("bare Nimbus ES256: %.1f us CPU/op (%.0f ops/s per core)%n", bareNanos / ops / 1e3, ops * 1e9 / bareNanos);
        System.out.printf("full issuance:     %.1f us CPU/op (%.0f ops/s per core)%n", fullNanos / ops / 1e3, ops * 1e9 / fullNanos);
        System.out.printf("cost ratio full/bare: %.3f (checksum %d)%n", (double) fullNanos / bareNanos, sink);
    }

    private List<ResourceScope> granted() {
        return realm.policy().authorize(admitted(), ScopeParser.parse(SCOPES));
    }
}
