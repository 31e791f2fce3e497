package io.registryauth.bench;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.ldap.LdapAuthenticator;
import io.registryauth.realm.auth.ldap.LdapDirectory;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.SlapdServer;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Load target for logins of LDAP users: starts a real slapd (the token server's test harness) and a token
 * server whose realm takes alice from it, in one of three modes, then prints its port:
 * <ul>
 *   <li>{@code cached}: the product's directory source with its default caches (5 min passwords, 1 min groups);</li>
 *   <li>{@code uncached}: the same source with both caches off, so every request searches, binds and reads
 *       groups over the pooled connections;</li>
 *   <li>{@code bind-per-request}: a baseline shaped like docker_auth's LDAP support: a new connection per
 *       request, a search and a bind on it, groups from the entry, no cache.</li>
 * </ul>
 * Usage: {@code LdapLoad <port> <mode>}; run by {@code benchmarks/wrk/ldap-run.sh}.
 */
public final class LdapLoad {
    private LdapLoad() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String mode = args.length > 1 ? args[1] : "cached";
        Path dir = Files.createTempDirectory("ldap-load");
        SlapdServer slapd = SlapdServer.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                slapd.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        boolean caches = !"uncached".equals(mode);
        LdapDirectory directory = new LdapDirectory("corp", List.of(slapd.url()), false, null, SlapdServer.ADMIN_DN,
                SlapdServer.ADMIN_PASSWORD, SlapdServer.PEOPLE, null, null, null, SlapdServer.GROUPS, null, null, 0,
                false, null, null, null, caches ? null : Duration.ZERO, caches ? null : Duration.ZERO);
        Authenticator source = "bind-per-request".equals(mode) ? new BindPerRequest(slapd.port) : new LdapAuthenticator();
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "bench", Instant.now(), Duration.ofDays(1));
        byte[] refreshKey = new byte[32];
        new SecureRandom().nextBytes(refreshKey);
        List<Grant> grants = List.of(new Grant("bench/developers", List.of(Subject.group("developers")),
                List.of("team-a/**"), Set.of("pull", "push"), false));
        RealmConfig realm = new RealmConfig("bench/ldap", TokenServerLoad.SERVICE, "registry-auth-bench",
                "http://127.0.0.1/token", Duration.ofMinutes(15), Duration.ofHours(8), KeyRing.of(key), refreshKey,
                false, Map.of(), Policy.compile(grants)).with(new LdapAuthenticator.LdapDirectories(List.of(directory)));
        TokenServer.Options options = TokenServer.Options.defaults().withAuthenticators(List.of(source))
                .withAudit(line -> { });
        HttpServer server = TokenServer.start(Vertx.vertx(), new RealmState(RealmSnapshot.of(List.of(realm))), options,
                "127.0.0.1", port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println(server.actualPort());
        System.out.flush();
    }

    /** What a bind-per-request LDAP login costs: connect, search, bind as the user, read groups, close. */
    private static final class BindPerRequest implements Authenticator {
        private final int port;

        BindPerRequest(int port) {
            this.port = port;
        }

        @Override
        public String name() {
            return "ldap-baseline";
        }

        @Override
        public Claim claim(RealmConfig realm, Credentials credentials) {
            return Claim.OWNS;
        }

        @Override
        public Cost cost(RealmConfig realm, Credentials credentials) {
            return Cost.REMOTE;
        }

        @Override
        public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
            try (LDAPConnection connection = new LDAPConnection("127.0.0.1", port, SlapdServer.ADMIN_DN,
                    SlapdServer.ADMIN_PASSWORD)) {
                SearchResult users = connection.search(SlapdServer.PEOPLE, SearchScope.SUB,
                        Filter.createEqualityFilter("uid", credentials.username()), "uid");
                if (users.getEntryCount() != 1) {
                    return new AuthResult.Rejected("invalid username or password");
                }
                String dn = users.getSearchEntries().get(0).getDN();
                connection.bind(dn, credentials.password());
                connection.bind(SlapdServer.ADMIN_DN, SlapdServer.ADMIN_PASSWORD);
                Set<String> groups = new LinkedHashSet<>();
                connection.search(SlapdServer.GROUPS, SearchScope.SUB, Filter.createEqualityFilter("member", dn), "cn")
                        .getSearchEntries().forEach(e -> groups.add(e.getAttributeValue("cn")));
                return new AuthResult.Admitted(new Identity(credentials.username(), groups, name(), SubjectKind.USER));
            } catch (LDAPException e) {
                return e.getResultCode() == ResultCode.INVALID_CREDENTIALS
                        ? new AuthResult.Rejected("invalid username or password")
                        : new AuthResult.Unavailable("directory unreachable");
            }
        }

        @Override
        public AuthResult recheck(RealmConfig realm, Session session) {
            return new AuthResult.Rejected("no sessions in the baseline");
        }
    }
}
