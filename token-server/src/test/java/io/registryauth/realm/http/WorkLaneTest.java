package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.RobotCredentials.PasswordHash;
import io.registryauth.realm.auth.RobotPasswords;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Costly checks wait on lanes of their own: while the hash lane is full of password checks held open,
 * requests that are cheap to answer still are, on a shared worker pool of ONE thread (which a single
 * held check would block if it ran there), and a further costly request is refused at once with a 503.
 */
class WorkLaneTest {
    private static final String ROBOT = RobotCredentials.nameFor("team-a", "pull-creds");
    private static final RobotPasswords.Generated ROBOT_PASSWORD = RobotPasswords.generate();

    /** Claims one user whose check costs {@code cost}, and holds every check open until released. */
    private static final class HeldCheck implements Authenticator {
        final String user;
        final Cost cost;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();

        HeldCheck(String user, Cost cost) {
            this.user = user;
            this.cost = cost;
        }

        @Override
        public String name() {
            return "held-" + cost.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public Cost cost(RealmConfig realm, Credentials credentials) {
            return user.equals(credentials.username()) ? cost : Cost.CHEAP;
        }

        @Override
        public Claim claim(RealmConfig realm, Credentials credentials) {
            return user.equals(credentials.username()) ? Claim.OWNS : Claim.NONE;
        }

        @Override
        public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
            started.incrementAndGet();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new AuthResult.Rejected("invalid username or password");
        }

        @Override
        public AuthResult recheck(RealmConfig realm, Session session) {
            return new AuthResult.Rejected("not a session of this check");
        }
    }

    private static RealmConfig realmWithRobot(SigningKey key) {
        RealmConfig base = RealmFixture.realm(key, SERVICE, true, Set.of("alice"));
        List<Grant> grants = new ArrayList<>(RealmFixture.GRANTS);
        grants.add(new Grant("team-a/pull-creds", List.of(new Subject(SubjectKind.ROBOT, ROBOT)), List.of("team-a/**"),
                Set.of("pull"), false));
        return new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(), base.tokenTtl(),
                base.refreshTtl(), base.keys(), base.refreshTokenKey(), base.anonymous(), base.users(),
                Policy.compile(grants), List.of(),
                Map.of(ROBOT, new RobotCredentials(ROBOT, List.of(PasswordHash.current(ROBOT_PASSWORD.hash())))));
    }

    @Test
    void cheapRequestsAreAnsweredWhileTheHashLaneIsFullAndOverflowGets503() throws Exception {
        HeldCheck hash = new HeldCheck("mallory", Authenticator.Cost.HASH);
        HeldCheck remote = new HeldCheck("oscar", Authenticator.Cost.REMOTE);
        SigningKey key = RealmFixture.newKey();
        try (RealmFixture realm = RealmFixture.start(new VertxOptions().setWorkerPoolSize(1), key,
                new RealmState(RealmSnapshot.of(List.of(realmWithRobot(key)))),
                o -> o.withAuthenticators(List.of(new RobotAuthenticator(), new HtpasswdAuthenticator(), hash, remote))
                        .withWorkers(new TokenServer.Workers(1, 1, 1, 0)))) {
            // alice's first login runs bcrypt (on the hash lane) and fills the credential cache.
            String refreshToken = json(realm.get(tokenQuery() + "&offline_token=true&client_id=docker", "alice"))
                    .getString("refresh_token");

            // One check runs, one waits: the hash lane (1 thread, 1 queued) is full.
            CompletableFuture<HttpResponse<String>> running = realm.http.sendAsync(guess(realm, "mallory", "guess-1"),
                    HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> waiting = realm.http.sendAsync(guess(realm, "mallory", "guess-2"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hash.entered.await(10, TimeUnit.SECONDS)).isTrue();
            awaitMetric(realm, "registry_auth_work_queued{lane=\"hash\"} 1");

            HttpResponse<String> overflow = realm.send(guess(realm, "mallory", "guess-3"));
            assertThat(overflow.statusCode()).isEqualTo(503);
            assertThat(overflow.headers().firstValue("Retry-After")).hasValue("1");
            JsonObject error = json(overflow).getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("code")).isEqualTo("UNAVAILABLE");
            assertThat(error.getString("message")).isEqualTo("token server busy; retry later");

            // Meanwhile, on one shared worker thread: a cached login, a robot, anonymous, a refresh grant.
            assertThat(realm.get(tokenQuery("repository:team-a/app:pull"), "alice").statusCode()).isEqualTo(200);
            assertThat(realm.get(tokenQuery("repository:team-a/app:pull"), ROBOT, ROBOT_PASSWORD.password())
                    .statusCode()).isEqualTo(200);
            assertThat(realm.get(tokenQuery("repository:public/app:pull")).statusCode()).isEqualTo(200);
            assertThat(realm.postForm("grant_type=refresh_token&service=" + SERVICE + "&refresh_token=" + refreshToken)
                    .statusCode()).isEqualTo(200);
            // A provider call has its own lane: it starts while the hash lane is full.
            CompletableFuture<HttpResponse<String>> call = realm.http.sendAsync(guess(realm, "oscar", "token-1"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(remote.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(realm.get("/metrics").body()).contains("registry_auth_work_running{lane=\"remote\"} 1");
            assertThat(hash.started).hasValue(1);
            assertThat(running).isNotDone();
            assertThat(waiting).isNotDone();

            hash.release.countDown();
            remote.release.countDown();
            assertThat(running.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            assertThat(call.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            assertThat(hash.started).hasValue(2);

            String metrics = realm.get("/metrics").body();
            assertThat(metrics)
                    .contains("registry_auth_work_rejected_total{lane=\"hash\"} 1")
                    .contains("registry_auth_work_rejected_total{lane=\"remote\"} 0")
                    .contains("registry_auth_work_queued{lane=\"hash\"} 0")
                    // The refused request was no failed attempt: only the two checks that ran count.
                    .contains("registry_auth_authentication_failures_total{service=\"" + SERVICE
                            + "\",authenticator=\"held-hash\"} 2")
                    .contains("registry_auth_token_requests_total{service=\"" + SERVICE + "\",outcome=\"unavailable\"} 1");
        }
    }

    private static HttpRequest guess(RealmFixture realm, String user, String password) {
        return HttpRequest.newBuilder(realm.uri(tokenQuery())).timeout(Duration.ofSeconds(10))
                .header("Authorization", RealmFixture.basic(user, password)).GET().build();
    }

    /** Waits (bounded) until the metrics show {@code line}: a request is queued a moment after it is sent. */
    private static void awaitMetric(RealmFixture realm, String line) throws InterruptedException {
        for (int i = 0; i < 1000 && !realm.get("/metrics").body().contains(line); i++) {
            Thread.sleep(10);
        }
        assertThat(realm.get("/metrics").body()).contains(line);
    }
}
