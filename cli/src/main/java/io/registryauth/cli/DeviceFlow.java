package io.registryauth.cli;

import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device authorization grant (RFC 8628) for machines without a browser: print where to go and the
 * code, then poll the token endpoint at the provider's pace. PKCE goes along too: Keycloak requires it
 * of clients that demand PKCE, other providers ignore the extra parameters.
 */
final class DeviceFlow {
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Http http;
    private final OAuth oauth;
    private final Clock clock;
    private final PrintStream err;
    private final Sleeper sleeper;

    DeviceFlow(Http http, OAuth oauth, Clock clock, PrintStream err, Sleeper sleeper) {
        this.http = http;
        this.oauth = oauth;
        this.clock = clock;
        this.err = err;
        this.sleeper = sleeper;
    }

    TokenSet signIn(Provider provider) {
        String endpoint = provider.endpoints().deviceAuthorization();
        if (endpoint == null) {
            throw new CliException("provider " + provider.name() + " does not offer device sign-in; drop --device");
        }
        Pkce pkce = Pkce.create();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", provider.clientId());
        form.put("scope", String.join(" ", provider.scopes()));
        form.put("code_challenge", pkce.challenge());
        form.put("code_challenge_method", "S256");
        Http.Response response = http.postForm(URI.create(endpoint), form);
        if (response.status() != 200) {
            RuntimeException refusal = OAuth.refusal(response);
            throw new CliException("provider " + provider.name() + " refused device sign-in: " + refusal.getMessage());
        }
        Map<String, Object> device = response.json("the device authorization answer");
        String deviceCode = Json.string(device, "device_code");
        String userCode = Json.string(device, "user_code");
        String verificationUri = Json.string(device, "verification_uri");
        if (deviceCode == null || userCode == null || verificationUri == null) {
            throw new CliException("provider " + provider.name() + " gave an incomplete device authorization answer");
        }
        String complete = Json.string(device, "verification_uri_complete");
        long interval = Math.max(1, Json.number(device, "interval", 5));
        long expiresAt = clock.instant().getEpochSecond() + Json.number(device, "expires_in", 600);

        err.println("To sign in to " + provider.name() + ", open " + verificationUri + " and enter the code " + userCode);
        if (complete != null) {
            err.println("  or open: " + complete);
        }
        err.flush();

        Map<String, String> poll = new LinkedHashMap<>();
        poll.put("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
        poll.put("device_code", deviceCode);
        poll.put("client_id", provider.clientId());
        poll.put("code_verifier", pkce.verifier());
        while (true) {
            try {
                sleeper.sleep(Duration.ofSeconds(interval));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while waiting for the sign-in");
            }
            if (clock.instant().getEpochSecond() > expiresAt) {
                throw new CliException("the code " + userCode + " expired; run the login again");
            }
            try {
                return oauth.token(provider.endpoints().token(), poll);
            } catch (OAuth.GrantRefused e) {
                switch (e.error) {
                    case "authorization_pending" -> { }
                    case "slow_down" -> interval += 5;
                    case "expired_token" -> throw new CliException("the code " + userCode + " expired; run the login again");
                    case "access_denied" -> throw new CliException("the sign-in was refused in the browser");
                    default -> throw new CliException("provider " + provider.name() + " refused the sign-in: "
                            + e.getMessage());
                }
            }
        }
    }
}
