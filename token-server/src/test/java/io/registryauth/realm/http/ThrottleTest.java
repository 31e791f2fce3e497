package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.json;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.FailureThrottle;
import io.registryauth.realm.auth.MutableClock;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Repeated failures for one user and address are slowed down: the realm is no password oracle. */
class ThrottleTest {

    @Test
    void repeatedFailuresGet429WithRetryAfterEvenForTheRightPassword() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
        FailureThrottle throttle = new FailureThrottle(3, Duration.ofMinutes(15), Duration.ofMillis(2500),
                Duration.ofMinutes(5), 1000);
        try (RealmFixture realm = RealmFixture.start(o -> o.withClock(clock).withThrottle(throttle))) {
            for (int i = 0; i < 3; i++) {
                assertThat(realm.get(tokenQuery(), "alice", "wrong-" + i).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> blocked = realm.get(tokenQuery(), "alice", PASSWORDS.get("alice"));
            assertThat(blocked.statusCode()).isEqualTo(429);
            // 2.5 s rounded up.
            assertThat(blocked.headers().firstValue("Retry-After")).hasValue("3");
            JsonObject error = json(blocked).getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("code")).isEqualTo("TOOMANYREQUESTS");

            // Another user from the same address is not affected.
            assertThat(realm.get(tokenQuery(), "bob").statusCode()).isEqualTo(200);
            // The password grant is throttled alike.
            HttpResponse<String> post = realm.postForm("grant_type=password&service=" + SERVICE
                    + "&username=alice&password=" + PASSWORDS.get("alice"));
            assertThat(post.statusCode()).isEqualTo(429);

            clock.advance(Duration.ofSeconds(3));
            assertThat(realm.get(tokenQuery(), "alice").statusCode()).isEqualTo(200);
            // The success forgot the failures.
            assertThat(realm.get(tokenQuery(), "alice", "wrong-again").statusCode()).isEqualTo(401);

            String text = realm.get("/metrics").body();
            assertThat(MetricsText.value(text, "registry_auth_token_requests_total", "service", SERVICE,
                    "outcome", "throttled")).isEqualTo(2);
        }
    }
}
