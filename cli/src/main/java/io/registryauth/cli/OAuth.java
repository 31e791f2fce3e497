package io.registryauth.cli;

import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** The provider's token, device-authorization and revocation endpoints, as a public client uses them. */
final class OAuth {
    private final Http http;
    private final Clock clock;

    OAuth(Http http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** The provider's refusal of a grant: {@code error} and, when given, its description. */
    static final class GrantRefused extends RuntimeException {
        final String error;

        GrantRefused(String error, String description) {
            super(description == null ? error : error + ": " + description, null, false, false);
            this.error = error;
        }
    }

    TokenSet authorizationCode(String tokenEndpoint, String clientId, String code, String redirectUri, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("client_id", clientId);
        form.put("code_verifier", verifier);
        return token(tokenEndpoint, form);
    }

    TokenSet refresh(String tokenEndpoint, String clientId, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("client_id", clientId);
        return token(tokenEndpoint, form);
    }

    /** Posts a grant; a 4xx with an OAuth error becomes {@link GrantRefused}. */
    TokenSet token(String tokenEndpoint, Map<String, String> form) {
        long now = clock.instant().getEpochSecond();
        Http.Response response = http.postForm(URI.create(tokenEndpoint), form);
        if (response.status() == 200) {
            return TokenSet.fromResponse(response.json("the token endpoint's answer"), now);
        }
        throw refusal(response);
    }

    static RuntimeException refusal(Http.Response response) {
        Map<String, Object> json;
        try {
            json = response.json("the provider's error");
        } catch (CliException e) {
            return new CliException("the provider answered HTTP " + response.status());
        }
        String error = Json.string(json, "error");
        if (error == null) {
            return new CliException("the provider answered HTTP " + response.status());
        }
        return new GrantRefused(error, Json.string(json, "error_description"));
    }

    /** RFC 7009: asks the provider to forget a refresh token. Providers answer 200 for unknown tokens too. */
    void revoke(String revocationEndpoint, String clientId, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", refreshToken);
        form.put("token_type_hint", "refresh_token");
        form.put("client_id", clientId);
        Http.Response response = http.postForm(URI.create(revocationEndpoint), form);
        if (response.status() != 200) {
            throw new CliException("the provider refused to revoke the sign-in (HTTP " + response.status() + ")");
        }
    }
}
