package io.registryauth.realm.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A small OIDC provider on 127.0.0.1: discovery, a JWKS it can rotate, and RFC 7662 introspection
 * answering from a table. Counts requests per endpoint and records every token it was asked to introspect
 * (so tests can prove what never reached it); introspection can answer slowly, and the whole provider can
 * go away. Public: other packages' and modules' tests use it too.
 */
public final class FakeIdentityProvider implements AutoCloseable {
    public static final String CLIENT_ID = "registry-auth";
    public static final String CLIENT_SECRET = "s3cret-client-value";

    // Generated once: RSA key generation costs most of a second on a busy machine.
    private static final RSAKey RSA = generateRsa("rsa-1");
    private static final ECKey EC = generateEc("ec-1");

    public final RSAKey rsa = RSA;
    public final ECKey ec = EC;
    public final String issuer;
    public final AtomicInteger discoveryCalls = new AtomicInteger();
    public final AtomicInteger jwksCalls = new AtomicInteger();
    public final AtomicInteger introspectionCalls = new AtomicInteger();
    public final AtomicLong introspectionDelayMillis = new AtomicLong();
    public final List<JWK> published = new CopyOnWriteArrayList<>();
    public final Map<String, Map<String, Object>> introspection = new ConcurrentHashMap<>();
    /** Every token the provider was asked to introspect, in order. */
    public final List<String> introspected = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public FakeIdentityProvider() throws IOException {
        this(null);
    }

    /** With {@code tls}, the provider serves HTTPS with that context's certificate. */
    public FakeIdentityProvider(SSLContext tls) throws IOException {
        published.add(rsa.toPublicJWK());
        published.add(ec.toPublicJWK());
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        if (tls == null) {
            server = HttpServer.create(any, 0);
        } else {
            HttpsServer https = HttpsServer.create(any, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(executor);
        issuer = (tls == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
        server.createContext("/realms/test/.well-known/openid-configuration", ex -> answer(ex, discoveryCalls, () ->
                JSONObjectUtils.toJSONString(Map.of("issuer", issuer,
                        "jwks_uri", issuer + "/certs",
                        "introspection_endpoint", issuer + "/introspect"))));
        server.createContext("/realms/test/certs", ex -> answer(ex, jwksCalls, () ->
                new JWKSet(List.copyOf(published)).toString(true)));
        server.createContext("/realms/test/introspect", this::introspect);
        server.start();
    }

    /** A token signed with the RSA key, claims from the standard set plus {@code extra}. */
    public String token(String user, Instant expiry, Consumer<JWTClaimsSet.Builder> extra) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject("id-" + user)
                .audience(OidcTestRealms.SERVICE)
                .claim("preferred_username", user).expirationTime(Date.from(expiry)).issueTime(new Date());
        extra.accept(claims);
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims.build(), rsa);
    }

    static RSAKey generateRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(JWSHeader header, JWTClaimsSet claims, JWK key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public void stop() {
        server.stop(0);
        executor.shutdownNow(); // ends answers still sleeping
    }

    @Override
    public void close() {
        stop();
    }

    private interface Body {
        String get() throws IOException;
    }

    private void answer(HttpExchange exchange, AtomicInteger counter, Body body) throws IOException {
        counter.incrementAndGet();
        send(exchange, 200, body.get());
    }

    private void introspect(HttpExchange exchange) throws IOException {
        introspectionCalls.incrementAndGet();
        pause();
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                || !"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String token = null;
        for (String pair : form.split("&")) {
            if (pair.startsWith("token=")) {
                token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
            }
        }
        if (token != null) {
            introspected.add(token);
        }
        Map<String, Object> known = token == null ? null : introspection.get(token);
        send(exchange, 200, JSONObjectUtils.toJSONString(known == null ? Map.of("active", false) : known));
    }

    private void pause() {
        long delay = introspectionDelayMillis.get();
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
