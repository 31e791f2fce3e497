package io.registryauth.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.registryauth.realm.auth.oidc.OidcProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A minimal OIDC provider on 127.0.0.1 for {@link OidcLoad}: discovery, a JWKS with one RS256 key (what
 * Keycloak signs with by default), and RFC 7662 introspection of the opaque tokens it minted. Counts
 * the calls per endpoint and serves them on {@code /stats}, so a run shows what a real provider would see.
 */
final class BenchIdentityProvider implements AutoCloseable {
    static final String CLIENT_ID = "registry-auth-bench";
    private static final String CLIENT_SECRET = "bench-introspection-secret";
    private static final String PATH = "/realms/bench";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RSAKey key;
    private final RSASSASigner signer;
    private final HttpServer server;
    private final String issuer;
    private final Map<String, Map<String, Object>> opaque = new ConcurrentHashMap<>();
    private final LongAdder discoveryCalls = new LongAdder();
    private final LongAdder jwksCalls = new LongAdder();
    private final LongAdder introspectionCalls = new LongAdder();

    BenchIdentityProvider() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID("bench-rsa").generate();
        signer = new RSASSASigner(key);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        // Enough threads that the provider is not what limits the realm's 20 blocking workers.
        server.setExecutor(Executors.newFixedThreadPool(16));
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
        String discovery = JSONObjectUtils.toJSONString(Map.of("issuer", issuer, "jwks_uri", issuer + "/certs",
                "introspection_endpoint", issuer + "/introspect"));
        String jwks = new JWKSet(key.toPublicJWK()).toString(true);
        server.createContext(PATH + "/.well-known/openid-configuration", ex -> {
            discoveryCalls.increment();
            send(ex, 200, discovery);
        });
        server.createContext(PATH + "/certs", ex -> {
            jwksCalls.increment();
            send(ex, 200, jwks);
        });
        server.createContext(PATH + "/introspect", this::introspect);
        server.createContext("/stats", ex -> send(ex, 200, stats()));
        server.start();
    }

    String issuer() {
        return issuer;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The client the realm introspects with. */
    static OidcProvider.Introspection client() {
        return new OidcProvider.Introspection(CLIENT_ID, CLIENT_SECRET);
    }

    /** A distinct RS256 access token (fresh jti) for {@code user}, shaped like Keycloak's. */
    String jwt(String user, List<String> groups, String audience, Instant expiry) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("id-" + user).audience(audience)
                .claim("preferred_username", user).claim("groups", groups).claim("azp", "registry-cli")
                .claim("typ", "Bearer").jwtID(UUID.randomUUID().toString())
                .issueTime(new Date()).expirationTime(Date.from(expiry)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a benchmark token failed", e);
        }
        return jwt.serialize();
    }

    /** A distinct opaque access token that only introspection can judge. */
    String opaqueToken(String user, List<String> groups, String audience, Instant expiry) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        opaque.put(token, Map.of("active", true, "iss", issuer, "sub", "id-" + user, "aud", audience,
                "preferred_username", user, "groups", groups, "client_id", "registry-cli", "token_type", "Bearer",
                "exp", expiry.getEpochSecond()));
        return token;
    }

    String stats() {
        return "provider_discovery_calls " + discoveryCalls.sum() + "\nprovider_jwks_calls " + jwksCalls.sum()
                + "\nprovider_introspection_calls " + introspectionCalls.sum() + "\n";
    }

    private void introspect(HttpExchange exchange) throws IOException {
        introspectionCalls.increment();
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        if (given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8)) || !"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String token = null;
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            if (pair.startsWith("token=")) {
                token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
            }
        }
        Map<String, Object> known = token == null ? null : opaque.get(token);
        send(exchange, 200, JSONObjectUtils.toJSONString(known == null ? Map.of("active", false) : known));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
