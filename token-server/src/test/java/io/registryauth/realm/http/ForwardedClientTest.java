package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.basic;
import static io.registryauth.realm.http.RealmFixture.tokenQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.FailureThrottle;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Behind an ingress every client arrives from the proxy's address: with the proxy trusted, the throttle and
 * the audit line see the client it forwards; without, a client's X-Forwarded-For changes nothing.
 */
class ForwardedClientTest {
    private static final String CLIENT_A = "198.51.100.10";
    private static final String CLIENT_B = "198.51.100.20";

    private static FailureThrottle throttle() {
        return new FailureThrottle(3, Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofMinutes(5), 1000);
    }

    @Test
    void withoutTrustedProxiesAForgedHeaderChangesNothing() {
        try (RealmFixture realm = RealmFixture.start(o -> o.withThrottle(throttle()))) {
            for (int i = 0; i < 3; i++) {
                assertThat(status(realm, "alice", "wrong-" + i, CLIENT_A + ", " + i + ".0.0.1")).isEqualTo(401);
            }
            // Another claimed address does not escape the block: the key is still the peer.
            assertThat(status(realm, "alice", PASSWORDS.get("alice"), CLIENT_B)).isEqualTo(429);

            List<String> lines = realm.awaitAuditLines(4);
            assertThat(lines).hasSize(4);
            assertThat(lines).allSatisfy(line -> assertThat(new JsonObject(line).getString("client"))
                    .isEqualTo("127.0.0.1"));
        }
    }

    @Test
    void behindATrustedProxyClientsAreThrottledAndAuditedApart() {
        TrustedProxies proxy = TrustedProxies.parse(List.of("127.0.0.1"));
        try (RealmFixture realm = RealmFixture.start(o -> o.withThrottle(throttle()).withTrustedProxies(proxy))) {
            for (int i = 0; i < 3; i++) {
                assertThat(status(realm, "alice", "wrong-" + i, CLIENT_A)).isEqualTo(401);
            }
            assertThat(status(realm, "alice", PASSWORDS.get("alice"), CLIENT_A)).isEqualTo(429);
            // The guesser behind the same proxy does not lock alice out elsewhere.
            assertThat(status(realm, "alice", PASSWORDS.get("alice"), CLIENT_B)).isEqualTo(200);
            // Entries a client forges to the left of what the proxy appended are not believed.
            assertThat(status(realm, "alice", PASSWORDS.get("alice"), CLIENT_B + ", " + CLIENT_A)).isEqualTo(429);

            List<String> clients = realm.awaitAuditLines(6).stream()
                    .map(line -> new JsonObject(line).getString("client")).toList();
            assertThat(clients).containsExactlyInAnyOrder(CLIENT_A, CLIENT_A, CLIENT_A, CLIENT_A, CLIENT_B, CLIENT_A);
        }
    }

    private static int status(RealmFixture realm, String user, String password, String forwardedFor) {
        return realm.send(HttpRequest.newBuilder(realm.uri(tokenQuery("repository:team-a/app:pull")))
                .header("Authorization", basic(user, password))
                .header(TrustedProxies.HEADER, forwardedFor)
                .GET().build()).statusCode();
    }
}
