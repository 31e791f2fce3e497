package io.registryauth.realm.http;

import static io.registryauth.realm.http.MetricsText.value;
import static io.registryauth.realm.http.RealmFixture.OTHER_SERVICE;
import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.decode;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmState;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Session;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** /healthz, /readyz, /jwks.json, /metrics, and snapshot swaps seen by the next request. */
class OperationalEndpointsTest {

    @Test
    void healthzIsOkWithoutAnyRealm() {
        try (RealmFixture empty = RealmFixture.start(RealmFixture.newKey(), new RealmState(), UnaryOperator.identity())) {
            HttpResponse<String> response = empty.get("/healthz");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
        }
    }

    @Test
    void healthzSaysWhenTheWorkersThatServeTokensAreStuck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        Authenticator wedged = new Authenticator() {
            @Override
            public String name() {
                return "wedged";
            }

            @Override
            public Claim claim(RealmConfig realm, Credentials c) {
                return Claim.OWNS;
            }

            @Override
            public Cost cost(RealmConfig realm, Credentials c) {
                return Cost.CHEAP;
            }

            @Override
            public AuthResult authenticate(RealmConfig realm,
                                                                      Credentials c) {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new AuthResult.Rejected("no");
            }

            @Override
            public AuthResult recheck(RealmConfig realm,
                                                                 Session session) {
                return new AuthResult.Rejected("no");
            }
        };
        SigningKey key = RealmFixture.newKey();
        try (RealmFixture realm = RealmFixture.start(new VertxOptions().setWorkerPoolSize(1), key,
                new RealmState(RealmSnapshot.of(List.of(RealmFixture.realm(key, SERVICE, true,
                        PASSWORDS.keySet())))), o -> o.withAuthenticators(List.of(wedged)))) {
            CompletableFuture<HttpResponse<String>> held = CompletableFuture
                    .supplyAsync(() -> realm.get(tokenQuery("repository:team-a/app:pull"), "alice"));
            assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> health = realm.get("/healthz");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).isEqualTo("worker pool does not answer");

            release.countDown();
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            assertThat(realm.get("/healthz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readyzFollowsTheFirstSnapshotAndTokenRequestsWaitForIt() {
        SigningKey key = RealmFixture.newKey();
        try (RealmFixture realm = RealmFixture.start(key, new RealmState(), UnaryOperator.identity())) {
            assertThat(realm.get("/readyz").statusCode()).isEqualTo(503);
            HttpResponse<String> early = realm.get(tokenQuery("repository:team-a/app:pull"), "alice");
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(json(early).getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("UNAVAILABLE");

            realm.swap(RealmFixture.realm(key, SERVICE, true, PASSWORDS.keySet()));
            assertThat(realm.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(realm.get(tokenQuery("repository:team-a/app:pull"), "alice").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void snapshotSwapTakesEffectOnTheNextRequest() {
        try (RealmFixture realm = RealmFixture.start()) {
            assertThat(realm.get(tokenQuery("repository:team-a/app:pull"), "bob").statusCode()).isEqualTo(200);
            realm.swap(RealmFixture.realm(realm.key, SERVICE, true, Set.of("alice")));
            GetTokenTest.assertUnauthorized(realm.get(tokenQuery("repository:team-a/app:pull"), "bob"));

            // A new active key signs the very next token.
            SigningKey next = RealmFixture.newKey();
            realm.swap(RealmFixture.realm(next, SERVICE, true, PASSWORDS.keySet()));
            String token = json(realm.get(tokenQuery(), "alice")).getString("token");
            assertThat(decode(token)[0].getString("kid")).isEqualTo(next.kid()).isNotEqualTo(realm.key.kid());
        }
    }

    @Test
    void jwksPublishesEveryRealmsKeysUnderTheKidsTokensCarry() {
        try (RealmFixture realm = RealmFixture.start()) {
            SigningKey other = RealmFixture.newKey();
            realm.swap(RealmFixture.realm(realm.key, SERVICE, true, PASSWORDS.keySet()),
                    RealmFixture.realm(other, OTHER_SERVICE, true, PASSWORDS.keySet()));

            HttpResponse<String> all = realm.get("/jwks.json");
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(kids(json(all).getJsonArray("keys"))).containsExactlyInAnyOrder(realm.key.kid(), other.kid());

            String tokenKid = decode(json(realm.get(tokenQuery(), "alice")).getString("token"))[0].getString("kid");
            assertThat(kids(json(realm.get("/jwks.json?service=" + SERVICE)).getJsonArray("keys")))
                    .containsExactly(tokenKid);
            JsonObject jwk = json(realm.get("/jwks.json?service=" + OTHER_SERVICE)).getJsonArray("keys").getJsonObject(0);
            assertThat(jwk.getString("kid")).isEqualTo(other.kid());
            assertThat(jwk.getString("kty")).isEqualTo("EC");
            assertThat(jwk.containsKey("d")).as("no private part").isFalse();

            HttpResponse<String> unknown = realm.get("/jwks.json?service=nope");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).getJsonArray("errors").getJsonObject(0).getString("message")).contains("nope");
        }
    }

    private static List<String> kids(JsonArray keys) {
        return keys.stream().map(k -> ((JsonObject) k).getString("kid")).toList();
    }

    @Test
    void metricsCountRequestsOutcomesFailuresAndCacheUse() {
        try (RealmFixture realm = RealmFixture.start()) {
            realm.get(tokenQuery("repository:team-a/app:pull"), "alice");
            realm.get(tokenQuery("repository:team-a/app:pull"), "alice");
            realm.get(tokenQuery("repository:team-a/app:pull"), "alice", "wrong");
            realm.get("/token?service=no-such-service-1&scope=repository:a/b:pull");
            realm.get("/token?service=no-such-service-2&scope=repository:a/b:pull");
            realm.awaitAuditLines(5);

            HttpResponse<String> response = realm.get("/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            String text = response.body();
            assertThat(value(text, "registry_auth_token_requests_total", "service", SERVICE, "outcome", "issued"))
                    .isEqualTo(2);
            assertThat(value(text, "registry_auth_token_requests_total", "service", SERVICE, "outcome", "unauthorized"))
                    .isEqualTo(1);
            // Unknown services share one label value: a scanner cannot create series.
            assertThat(value(text, "registry_auth_token_requests_total", "service", "unknown", "outcome", "bad_request"))
                    .isEqualTo(2);
            assertThat(text).doesNotContain("no-such-service");
            assertThat(value(text, "registry_auth_authentication_failures_total", "service", SERVICE,
                    "authenticator", "htpasswd")).isEqualTo(1);
            assertThat(value(text, "registry_auth_token_request_duration_seconds_count")).isEqualTo(5);
            assertThat(value(text, "registry_auth_token_request_duration_seconds_bucket", "le", "+Inf")).isEqualTo(5);
            // Bucket bounds are floats to a scraper, whichever way they are spelled (5.0E-4 is 0.0005).
            assertThat(text.lines().filter(l -> l.startsWith("registry_auth_token_request_duration_seconds_bucket{"))
                    .map(l -> l.substring(l.indexOf("le=\"") + 4, l.indexOf("\"}")))
                    .filter(le -> !le.equals("+Inf")).map(Double::parseDouble).toList())
                    .containsExactly(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5);
            assertThat(text).contains("registry_auth_token_request_duration_seconds_sum ")
                    .contains("# TYPE registry_auth_token_request_duration_seconds histogram");
            // First alice request ran bcrypt (miss), the second came from the cache (hit).
            assertThat(value(text, "registry_auth_credential_cache_hits_total")).isEqualTo(1);
            assertThat(value(text, "registry_auth_credential_cache_misses_total")).isEqualTo(2);
            assertThat(text).contains("# TYPE registry_auth_credential_cache_hits_total counter");
        }
    }

    @Test
    void gaugesOfTheFeederAppearBesideTheServersOwn() {
        RealmState state = new RealmState();
        java.util.concurrent.atomic.AtomicLong age = new java.util.concurrent.atomic.AtomicLong(3);
        state.addGauge(new RealmState.Gauge("registry_auth_snapshot_age_seconds", "Seconds since confirmed.",
                age::get));
        try (RealmFixture realm = RealmFixture.start(RealmFixture.newKey(), state, UnaryOperator.identity())) {
            assertThat(value(realm.get("/metrics").body(), "registry_auth_snapshot_age_seconds")).isEqualTo(3);
            age.set(42);
            String text = realm.get("/metrics").body();
            assertThat(value(text, "registry_auth_snapshot_age_seconds")).isEqualTo(42);
            assertThat(text).contains("# TYPE registry_auth_snapshot_age_seconds gauge");
            // A feeder started again on the same state replaces its gauge rather than adding a second series.
            state.addGauge(new RealmState.Gauge("registry_auth_snapshot_age_seconds", "Seconds since confirmed.",
                    () -> 7));
            String again = realm.get("/metrics").body();
            assertThat(value(again, "registry_auth_snapshot_age_seconds")).isEqualTo(7);
            assertThat(again.split("# TYPE registry_auth_snapshot_age_seconds", -1)).hasSize(2);
        }
    }
}
