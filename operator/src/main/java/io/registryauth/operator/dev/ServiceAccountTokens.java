package io.registryauth.operator.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Service-account tokens as an API server issues and reviews them, for dev mode: {@link #issue} answers a
 * TokenRequest ({@code kubectl create token}) with a signed, audience-bound, expiring JWT naming the
 * service account and its uid; {@link #review} answers a TokenReview for such a token the way the API
 * server does: unauthenticated when the signature, expiry or audience does not hold, or when the service
 * account is gone or was recreated (another uid). The signing key lives as long as the process.
 */
final class ServiceAccountTokens {
    static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    /** The audience an API server assumes when a request names none: its own. */
    static final String API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";
    static final Duration DEFAULT_EXPIRATION = Duration.ofHours(1);
    /** The API server refuses shorter-lived tokens. */
    static final Duration MIN_EXPIRATION = Duration.ofMinutes(10);
    private static final String USER_PREFIX = "system:serviceaccount:";

    /** A TokenRequest the API server would refuse; the message is the API server's kind of message. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** The token and when it expires. */
    record Issued(String token, Instant expires) {
    }

    private final ECKey key;
    private final ECDSAVerifier verifier;
    private final Clock clock;
    /** The uid of service account (namespace, name), empty when it does not exist. */
    private final BiFunction<String, String, Optional<String>> uidOf;

    ServiceAccountTokens(Clock clock, BiFunction<String, String, Optional<String>> uidOf) {
        this.clock = clock;
        this.uidOf = uidOf;
        try {
            key = new ECKeyGenerator(Curve.P_256).keyID("registry-auth-dev-serviceaccounts").generate();
            verifier = new ECDSAVerifier(key.toECPublicKey());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate the service-account signing key", e);
        }
    }

    /**
     * A token for service account {@code namespace/name}, bound to {@code audiences} (none: the API
     * server's own), valid for {@code expirationSeconds} (null: an hour).
     *
     * @throws Invalid             when the lifetime is shorter than the API server allows
     * @throws java.util.NoSuchElementException when the service account does not exist
     */
    Issued issue(String namespace, String name, List<String> audiences, Long expirationSeconds) throws Invalid {
        Duration lifetime = expirationSeconds == null ? DEFAULT_EXPIRATION : Duration.ofSeconds(expirationSeconds);
        if (lifetime.compareTo(MIN_EXPIRATION) < 0) {
            throw new Invalid("spec.expirationSeconds: Invalid value: " + lifetime.toSeconds()
                    + ": may not specify a duration less than 10 minutes");
        }
        String uid = uidOf.apply(namespace, name).orElseThrow();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plus(lifetime);
        List<String> aud = audiences == null || audiences.isEmpty() ? List.of(API_AUDIENCE) : List.copyOf(audiences);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(USER_PREFIX + namespace + ":" + name)
                .audience(aud)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .claim("kubernetes.io", Map.of("namespace", namespace,
                        "serviceaccount", Map.of("name", name, "uid", uid)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a service-account token", e);
        }
        return new Issued(jwt.serialize(), expires);
    }

    /** The review of {@code token} for {@code audiences} (none: the API server's own). */
    TokenReviewStatus review(String token, List<String> audiences) {
        List<String> asked = audiences == null || audiences.isEmpty() ? List.of(API_AUDIENCE) : audiences;
        JWTClaimsSet claims;
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.verify(verifier)) {
                return unauthenticated("invalid bearer token");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return unauthenticated("invalid bearer token");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || !clock.instant().isBefore(exp.toInstant())) {
            return unauthenticated("[invalid bearer token, token has expired]");
        }
        Object kubernetes = claims.getClaim("kubernetes.io");
        if (!(kubernetes instanceof Map<?, ?> k) || !(k.get("serviceaccount") instanceof Map<?, ?> sa)) {
            return unauthenticated("invalid bearer token");
        }
        String namespace = String.valueOf(k.get("namespace"));
        String name = String.valueOf(sa.get("name"));
        Optional<String> uid = uidOf.apply(namespace, name);
        if (uid.isEmpty() || !uid.get().equals(sa.get("uid"))) {
            return unauthenticated("[invalid bearer token, service account " + namespace + "/" + name
                    + (uid.isEmpty() ? " has been deleted]" : " was recreated]"));
        }
        List<String> shared = new ArrayList<>(asked);
        shared.retainAll(claims.getAudience());
        if (shared.isEmpty()) {
            return unauthenticated("[invalid bearer token, token audiences " + claims.getAudience()
                    + " is invalid for the target audiences " + asked + "]");
        }
        return new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(shared)
                .withNewUser()
                .withUsername(USER_PREFIX + namespace + ":" + name)
                .withUid(uid.get())
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .endUser()
                .build();
    }

    private static TokenReviewStatus unauthenticated(String error) {
        return new TokenReviewStatusBuilder().withAuthenticated(false).withError(error).build();
    }
}
