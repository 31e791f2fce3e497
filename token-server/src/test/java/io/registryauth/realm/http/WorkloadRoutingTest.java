package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.oidc.FakeIdentityProvider;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.auth.oidc.WorkloadAuthenticator;
import io.registryauth.realm.auth.oidc.WorkloadProvider;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.WorkloadMatch;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A CI job's ID token goes to its workload-identity provider and to no other source, whatever the username
 * (a robot's, a user's, a provider's fixed one) and even when an identity provider is configured on the same
 * issuer; the audit line names the job and never holds the token.
 */
class WorkloadRoutingTest {
    /** Would take anything: records every password it is shown, in claim() or authenticate(). */
    private static final class Greedy implements Authenticator {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final String name;
        final Claim answer;

        Greedy(String name, Claim answer) {
            this.name = name;
            this.answer = answer;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Claim claim(RealmConfig realm, Credentials credentials) {
            seen.add(credentials.password());
            return answer;
        }

        @Override
        public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
            seen.add(credentials.password());
            return new AuthResult.Rejected("no");
        }

        @Override
        public AuthResult recheck(RealmConfig realm, Session session) {
            return new AuthResult.Rejected("no");
        }
    }

    private FakeIdentityProvider ci;
    private RealmFixture realm;
    private final Greedy owner = new Greedy("greedy", Authenticator.Claim.OWNS);
    private final Greedy leftover = new Greedy("leftover", Authenticator.Claim.LEFTOVER);
    private final List<String> oidcSeen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        ci = new FakeIdentityProvider();
        OidcAuthenticator real = new OidcAuthenticator();
        // The identity provider's authenticator, recording what it is shown.
        Authenticator oidc = new Authenticator() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public Claim claim(RealmConfig realm, Credentials credentials) {
                oidcSeen.add(credentials.password());
                return real.claim(realm, credentials);
            }

            @Override
            public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
                oidcSeen.add(credentials.password());
                return real.authenticate(realm, credentials);
            }

            @Override
            public AuthResult recheck(RealmConfig realm, Session session) {
                return real.recheck(realm, session);
            }
        };
        // Production order: the workload source first (see the operator's Sources), every other one after it.
        realm = RealmFixture.start(o -> o.withAuthenticators(List.of(new WorkloadAuthenticator(),
                new RobotAuthenticator(), oidc, owner, new HtpasswdAuthenticator(), leftover)));
        RealmConfig base = RealmFixture.realm(realm.key, SERVICE, false, Set.of("alice"));
        Policy policy = Policy.compile(List.of(new Grant("ci/app", List.of(Subject.workload(new WorkloadMatch("github",
                Map.of("repository_owner_id", "1001"), Map.of("ref", "refs/heads/main"), null))),
                List.of("${claims.repository}/**"), Set.of("pull", "push"), false)));
        realm.swap(new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(), base.tokenTtl(),
                base.refreshTtl(), base.keys(), base.refreshTokenKeys(), false, policy, base.sources())
                .with(new WorkloadProvider.Providers(List.of(new WorkloadProvider("github", ci.issuer, List.of(), null,
                        null))))
                .with(new io.registryauth.realm.RealmConfig.OidcProviders(List.of(new OidcProvider("corp", ci.issuer,
                        List.of(), "preferred_username", null, null, Set.of("oauth2accesstoken"), null, null,
                        Duration.ofMinutes(5))))));
    }

    @AfterEach
    void stop() {
        realm.close();
        ci.close();
    }

    private String jobToken(String ref) {
        Instant now = Instant.now();
        return FakeIdentityProvider.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(ci.rsa.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ci.issuer).subject("repo:acme/app:ref:" + ref).audience(SERVICE)
                        .claim("repository", "acme/app").claim("repository_owner_id", "1001").claim("ref", ref)
                        .claim("run_id", "777").claim("sha", "abc123").claim("preferred_username", "alice")
                        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build(), ci.rsa);
    }

    private static io.vertx.core.json.JsonArray access(java.net.http.HttpResponse<String> answer) {
        return RealmFixture.decode(RealmFixture.json(answer).getString("token"))[1].getJsonArray("access");
    }

    private static String path() {
        return "/token?service=" + URLEncoder.encode(SERVICE, StandardCharsets.UTF_8)
                + "&scope=repository:acme/app/api:pull,push";
    }

    @Test
    void ciTokenReachesOnlyItsProviderWhateverTheUsername() {
        String token = jobToken("refs/heads/main");
        for (String username : List.of("ci", "alice", "robot$team$build", "oauth2accesstoken")) {
            var answer = realm.get(path(), username, token);
            assertThat(answer.statusCode()).as(username).isEqualTo(200);
            assertThat(access(answer).encode()).isEqualTo(
                    "[{\"type\":\"repository\",\"name\":\"acme/app/api\",\"actions\":[\"pull\",\"push\"]}]");
        }
        String refused = jobToken("refs/heads/feature");
        var other = realm.get(path(), "alice", refused);
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(access(other)).isEmpty();

        assertThat(owner.seen).doesNotContain(token, refused);
        assertThat(leftover.seen).doesNotContain(token, refused);
        assertThat(oidcSeen).doesNotContain(token, refused);
        // The spies do see what is not a workload token: they are in the chain.
        realm.get(path(), "alice", "some-password-0123456789");
        assertThat(owner.seen).contains("some-password-0123456789");
    }

    @Test
    void oneJobsRefusedTokensNeverBlockAnothersLogin() {
        String token = jobToken("refs/heads/main");
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        for (int i = 0; i < 12; i++) {
            assertThat(realm.get(path(), "github-actions", forged).statusCode()).isEqualTo(401);
        }
        // Same username, same address: the job with a valid token still gets in.
        assertThat(realm.get(path(), "github-actions", token).statusCode()).isEqualTo(200);
    }

    @Test
    void auditLineNamesTheJobAndNeverTheToken() {
        String token = jobToken("refs/heads/main");
        assertThat(realm.get(path(), "ci", token).statusCode()).isEqualTo(200);
        String line = realm.awaitAuditLines(1).get(0);
        assertThat(line).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        JsonObject audit = new JsonObject(line);
        assertThat(audit.getString("authenticator")).isEqualTo("workload:github");
        assertThat(audit.getJsonObject("workload").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "provider", "github", "repository", "acme/app", "ref", "refs/heads/main", "run_id", "777",
                "sha", "abc123"));
    }
}
