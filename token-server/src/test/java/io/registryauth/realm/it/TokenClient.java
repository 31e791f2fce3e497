package io.registryauth.realm.it;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Asks the realm for tokens the way registry clients do (GET with Basic auth as docker and skopeo send it,
 * POST with a refresh token as docker does once it holds one), and decodes the JWTs it gets back.
 */
public final class TokenClient {
    /** HTTP/1.1 like the registry clients (Go's net/http, Jib): no h2c upgrade. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The realm's answer: status and JSON body. */
    public record Answer(int status, JsonObject body) {
        public String accessToken() {
            return body.getString("access_token");
        }

        public String refreshToken() {
            return body.getString("refresh_token");
        }
    }

    private final String tokenUrl;
    private final String service;

    public TokenClient(String tokenUrl, String service) {
        this.tokenUrl = tokenUrl;
        this.service = service;
    }

    /** {@code GET /token?service=..&scope=..[&offline_token=true]}, with Basic auth unless anonymous. */
    public Answer get(Login login, boolean offline, String... scopes) {
        List<String> query = new ArrayList<>();
        query.add("service=" + encode(service));
        if (!login.anonymous()) {
            query.add("account=" + encode(login.username()));
        }
        for (String scope : scopes) {
            query.add("scope=" + encode(scope));
        }
        if (offline) {
            query.add("offline_token=true");
            query.add("client_id=registry-auth-it");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tokenUrl + "?" + String.join("&", query)));
        if (!login.anonymous()) {
            request.header("Authorization", login.basicAuthorization());
        }
        return send(request.GET());
    }

    /** {@code POST /token} with {@code grant_type=refresh_token}, the form docker sends. */
    public Answer refresh(String refreshToken, String... scopes) {
        List<String> form = new ArrayList<>(List.of("grant_type=refresh_token", "service=" + encode(service),
                "client_id=registry-auth-it", "refresh_token=" + encode(refreshToken)));
        for (String scope : scopes) {
            form.add("scope=" + encode(scope));
        }
        return post(form);
    }

    /** {@code POST /token} with {@code grant_type=password}, the form containerd sends first. */
    public Answer password(Login login, String... scopes) {
        List<String> form = new ArrayList<>(List.of("grant_type=password", "service=" + encode(service),
                "client_id=registry-auth-it", "username=" + encode(login.username()),
                "password=" + encode(login.password())));
        form.add("scope=" + encode(String.join(" ", scopes)));
        return post(form);
    }

    private Answer post(List<String> form) {
        return send(HttpRequest.newBuilder(URI.create(tokenUrl))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form))));
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Answer(response.statusCode(), body.isBlank() ? new JsonObject() : new JsonObject(body));
        } catch (IOException e) {
            throw new IllegalStateException("token request failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a token request", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The JOSE header of a compact JWS. */
    public static JsonObject header(String jwt) {
        return part(jwt, 0);
    }

    /** The claims of a compact JWS (not verified: the registry is the verifier in these tests). */
    public static JsonObject claims(String jwt) {
        return part(jwt, 1);
    }

    private static JsonObject part(String jwt, int index) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a compact JWS: " + parts.length + " parts");
        }
        return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
    }
}
