package io.registryauth.realm.auth.oidc;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.registryauth.realm.auth.TrustBundles;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The realm's connection to one identity provider (one issuer and trust bundle): its discovery
 * document, its published keys and its introspection endpoint. Every call is bounded by the connect
 * and request timeouts; keys stay cached until a token names one that is not known, and the key set
 * is fetched at most once per refetch floor, so a flood of forged key ids cannot hammer the provider.
 */
final class ProviderSession {
    private static final long MAX_ANSWER_BYTES = 1 << 20;

    private record Discovery(URI jwksUri, URI introspectionEndpoint, Instant fetchedAt) {
    }

    private final String issuer;
    private final OidcAuthenticator.Settings settings;
    private final HttpClient http;
    private final Object discoveryLock = new Object();
    private final Object keysLock = new Object();
    private volatile Discovery discovery;
    private volatile JWKSet keys;
    private Instant lastKeysAttempt;

    ProviderSession(String issuer, String caBundlePem, OidcAuthenticator.Settings settings) {
        this.issuer = issuer;
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (caBundlePem != null && !caBundlePem.isBlank()) {
            builder.sslContext(TrustBundles.trusting(caBundlePem));
        }
        this.http = builder.build();
    }

    /** Public keys that may have signed a token with this header; refetches the key set once for an unknown key. */
    List<Key> keysFor(JWSHeader header) throws ProviderUnavailableException, InvalidTokenException {
        JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(header));
        JWKSet known = keys;
        if (known != null && !selector.select(known).isEmpty()) {
            return javaKeys(selector.select(known));
        }
        synchronized (keysLock) {
            known = keys;
            if (known != null && !selector.select(known).isEmpty()) {
                return javaKeys(selector.select(known));
            }
            Instant now = settings.clock().instant();
            if (lastKeysAttempt != null && now.isBefore(lastKeysAttempt.plus(settings.jwksRefetchFloor()))) {
                if (known == null) {
                    throw new ProviderUnavailableException("the signing keys of " + issuer
                            + " could not be fetched; retrying shortly");
                }
                throw new InvalidTokenException("token is signed with a key the identity provider does not publish");
            }
            lastKeysAttempt = now;
            keys = fetchKeys();
            List<JWK> found = selector.select(keys);
            if (found.isEmpty()) {
                throw new InvalidTokenException("token is signed with a key the identity provider does not publish");
            }
            return javaKeys(found);
        }
    }

    /** The provider's RFC 7662 answer as a JSON object; {@code active} says whether the token is valid. */
    Map<String, Object> introspect(String token, OidcProvider.Introspection client) throws ProviderUnavailableException {
        URI endpoint = discovery().introspectionEndpoint();
        if (endpoint == null) {
            throw new ProviderUnavailableException(issuer + " publishes no introspection_endpoint");
        }
        // RFC 6749 2.3.1: client id and secret are form-encoded before they are put in the Basic header.
        String basic = Base64.getEncoder().encodeToString((form(client.clientId()) + ":" + form(client.clientSecret()))
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(settings.requestTimeout())
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + form(token) + "&token_type_hint=access_token"))
                .build();
        HttpResponse<byte[]> response = send(request, "introspection");
        if (response.statusCode() == 400 || response.statusCode() == 401 || response.statusCode() == 403) {
            throw new ProviderUnavailableException(issuer + " refused the realm's introspection client credentials (HTTP "
                    + response.statusCode() + ")");
        }
        return json(response, "introspection");
    }

    private Discovery discovery() throws ProviderUnavailableException {
        Discovery current = discovery;
        Instant now = settings.clock().instant();
        if (current != null && now.isBefore(current.fetchedAt().plus(settings.discoveryMaxAge()))) {
            return current;
        }
        synchronized (discoveryLock) {
            current = discovery;
            if (current != null && now.isBefore(current.fetchedAt().plus(settings.discoveryMaxAge()))) {
                return current;
            }
            try {
                discovery = fetchDiscovery(now);
                return discovery;
            } catch (ProviderUnavailableException e) {
                if (current != null) {
                    return current; // an older document beats none while the provider is away
                }
                throw e;
            }
        }
    }

    private Discovery fetchDiscovery(Instant now) throws ProviderUnavailableException {
        URI uri;
        try {
            uri = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        } catch (IllegalArgumentException e) {
            throw new ProviderUnavailableException("issuer " + issuer + " is not a URL");
        }
        Map<String, Object> document = json(send(get(uri), "discovery"), "discovery");
        if (!issuer.equals(document.get("issuer"))) {
            // OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for.
            throw new ProviderUnavailableException("the discovery document at " + uri + " names issuer "
                    + document.get("issuer") + ", not " + issuer);
        }
        URI jwks = uriField(document, "jwks_uri");
        if (jwks == null) {
            throw new ProviderUnavailableException("the discovery document of " + issuer + " has no jwks_uri");
        }
        return new Discovery(jwks, uriField(document, "introspection_endpoint"), now);
    }

    private JWKSet fetchKeys() throws ProviderUnavailableException {
        HttpResponse<byte[]> response = send(get(discovery().jwksUri()), "key set");
        if (response.statusCode() != 200) {
            throw new ProviderUnavailableException(issuer + " answered HTTP " + response.statusCode() + " for its key set");
        }
        try {
            return JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8)).toPublicJWKSet();
        } catch (ParseException e) {
            throw new ProviderUnavailableException("the key set of " + issuer + " is not a valid JWK set");
        }
    }

    private HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).header("Accept", "application/json").GET().build();
    }

    private HttpResponse<byte[]> send(HttpRequest request, String what) throws ProviderUnavailableException {
        CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(request, LimitedBody.handler(MAX_ANSWER_BYTES));
        // The request timeout only covers the wait for headers; this bounds the body as well.
        long budget = settings.connectTimeout().plus(settings.requestTimeout()).toMillis();
        try {
            return pending.get(budget, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new ProviderUnavailableException(issuer + " did not answer the " + what + " request in time");
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException("interrupted while asking " + issuer);
        } catch (ExecutionException e) {
            throw new ProviderUnavailableException(describe(e.getCause(), what), e.getCause());
        }
    }

    private String describe(Throwable cause, String what) {
        if (cause instanceof HttpConnectTimeoutException) {
            return "could not connect to " + issuer + " in time";
        }
        if (cause instanceof HttpTimeoutException) {
            return issuer + " did not answer the " + what + " request in time";
        }
        if (cause instanceof ConnectException) {
            return "could not connect to " + issuer;
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return "TLS with " + issuer + " failed (is its CA trusted?)";
        }
        return "the " + what + " request to " + issuer + " failed (" + cause.getClass().getSimpleName() + ")";
    }

    private Map<String, Object> json(HttpResponse<byte[]> response, String what) throws ProviderUnavailableException {
        if (response.statusCode() != 200) {
            throw new ProviderUnavailableException(issuer + " answered HTTP " + response.statusCode() + " to the " + what
                    + " request");
        }
        try {
            return JSONObjectUtils.parse(new String(response.body(), StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new ProviderUnavailableException("the " + what + " answer of " + issuer + " is not a JSON object");
        }
    }

    private static URI uriField(Map<String, Object> document, String field) throws ProviderUnavailableException {
        if (!(document.get(field) instanceof String value)) {
            return null;
        }
        try {
            return URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new ProviderUnavailableException("the discovery document's " + field + " is not a URL");
        }
    }

    private static List<Key> javaKeys(List<JWK> jwks) {
        return KeyConverter.toJavaKeys(jwks);
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
