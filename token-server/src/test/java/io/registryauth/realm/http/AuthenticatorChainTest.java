package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.policy.SubjectKind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chain beyond htpasswd: an authenticator whose identity provider is down makes the request a 503
 * rather than a wrong 401, and identities recorded as "name:detail" are re-checked by the authenticator
 * called "name" when their refresh token is used.
 */
class AuthenticatorChainTest {
    private static final String TOKEN_USER = "dora";
    private static final String TOKEN_PASSWORD = "provider-access-token-0123456789";

    /** Stands in for an identity provider: admits dora as "provider:corp" while it is up. */
    private static final class ProviderAuthenticator implements Authenticator {
        final AtomicBoolean up = new AtomicBoolean(true);

        @Override
        public String name() {
            return "provider";
        }

        @Override
        public Claim claim(RealmConfig realm, Credentials credentials) {
            return credentials.password().equals(TOKEN_PASSWORD) ? Claim.OWNS : Claim.NONE;
        }

        @Override
        public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
            if (!up.get()) {
                return new AuthResult.Unavailable("identity provider corp is unreachable");
            }
            return new AuthResult.Admitted(new Identity(credentials.username(), Set.of("devs"), "provider:corp",
                    SubjectKind.USER));
        }

        @Override
        public AuthResult recheck(RealmConfig realm, Session session) {
            return up.get() ? new AuthResult.Admitted(new Identity(session.subject(), Set.of("devs"),
                    session.source(), SubjectKind.USER))
                    : new AuthResult.Unavailable("identity provider corp is unreachable");
        }
    }

    private final ProviderAuthenticator provider = new ProviderAuthenticator();
    private RealmFixture realm;

    @BeforeEach
    void start() {
        realm = RealmFixture.start(o -> o.withAuthenticators(List.of(new HtpasswdAuthenticator(), provider)));
    }

    @AfterEach
    void stop() {
        realm.close();
    }

    private String tokenPath(String extra) {
        return "/token?service=" + URLEncoder.encode(SERVICE, StandardCharsets.UTF_8)
                + "&scope=repository:devs/app:pull" + extra;
    }

    @Test
    void providerDownIsA503InTheErrcodeShapeAndCountsAsAFailedAttempt() {
        provider.up.set(false);
        for (int i = 0; i < 5; i++) {
            var answer = realm.get(tokenPath(""), TOKEN_USER, TOKEN_PASSWORD);
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(RealmFixture.json(answer).getJsonArray("errors").getJsonObject(0).getString("code"))
                    .isEqualTo("UNAVAILABLE");
            assertThat(answer.body()).contains("unreachable").doesNotContain(TOKEN_PASSWORD);
        }
        // An outage is no way around the throttle: what could not be checked counts as a failure.
        assertThat(realm.get(tokenPath(""), TOKEN_USER, TOKEN_PASSWORD).statusCode()).isEqualTo(429);
        // Other users (and other sources) are not held up by it.
        assertThat(realm.get(tokenPath(""), "alice").statusCode()).isEqualTo(200);
    }

    @Test
    void htpasswdUsersAreUnaffectedByTheProviderOutage() {
        provider.up.set(false);
        assertThat(realm.get(tokenPath(""), "alice").statusCode()).isEqualTo(200);
        assertThat(realm.get(tokenPath(""), "alice", "wrong-password").statusCode()).isEqualTo(401);
    }

    @Test
    void refreshTokenOfAProviderIdentityIsRecheckedByThatAuthenticator() {
        var login = realm.get(tokenPath("&offline_token=true"), TOKEN_USER, TOKEN_PASSWORD);
        assertThat(login.statusCode()).isEqualTo(200);
        String refresh = RealmFixture.json(login).getString("refresh_token");
        assertThat(refresh).isNotBlank();
        String form = "grant_type=refresh_token&service=" + URLEncoder.encode(SERVICE, StandardCharsets.UTF_8)
                + "&scope=repository:devs/app:pull&refresh_token=" + refresh;

        var refreshed = realm.postForm(form);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(RealmFixture.json(refreshed).getString("scope")).isEqualTo("repository:devs/app:pull");

        provider.up.set(false);
        var during = realm.postForm(form);
        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(during.body()).doesNotContain(refresh);
    }
}
