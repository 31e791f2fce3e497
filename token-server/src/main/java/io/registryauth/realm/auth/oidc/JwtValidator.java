package io.registryauth.realm.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Local validation of a provider's JWT access token: algorithm, signature, issuer, lifetime, audience. */
final class JwtValidator {
    /** Asymmetric signatures only: never "none", never HMAC (whose "secret" would be the public key). */
    static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

    private JwtValidator() {
    }

    /** The verified claims as a JSON object (times as epoch seconds), or why the token is refused. */
    static Map<String, Object> validate(SignedJWT jwt, OidcProvider provider, List<String> audiences,
                                        ProviderSession session, Instant now,
                                        Duration leeway) throws InvalidTokenException, ProviderUnavailableException {
        return validate(jwt, provider.issuer(), audiences, session, now, leeway);
    }

    /** As above, for a token that must come from {@code issuer} (a workload-identity provider's). */
    static Map<String, Object> validate(SignedJWT jwt, String issuer, List<String> audiences,
                                        ProviderSession session, Instant now,
                                        Duration leeway) throws InvalidTokenException, ProviderUnavailableException {
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!ALLOWED.contains(algorithm)) {
            throw new InvalidTokenException("token algorithm " + algorithm + " is not accepted");
        }
        if (!verifies(jwt, session.keysFor(jwt.getHeader()))) {
            throw new InvalidTokenException("token signature is not valid");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException("token claims are not valid");
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new InvalidTokenException("token issuer is not " + issuer);
        }
        if (claims.getExpirationTime() == null) {
            throw new InvalidTokenException("token has no expiry");
        }
        checkLifetime(claims.getExpirationTime().toInstant(),
                claims.getNotBeforeTime() == null ? null : claims.getNotBeforeTime().toInstant(), now, leeway);
        checkAudience(audiences, claims.getAudience() == null ? List.of() : claims.getAudience());
        return claims.toJSONObject();
    }

    static void checkLifetime(Instant expiry, Instant notBefore, Instant now, Duration leeway) throws InvalidTokenException {
        if (expiry != null && now.isAfter(expiry.plus(leeway))) {
            throw new InvalidTokenException("token expired");
        }
        if (notBefore != null && now.plus(leeway).isBefore(notBefore)) {
            throw new InvalidTokenException("token is not valid yet");
        }
    }

    /** The token must name one of {@code required}, which is never empty (the realm's service by default). */
    static void checkAudience(List<String> required, List<String> tokenAudiences) throws InvalidTokenException {
        if (Collections.disjoint(required, tokenAudiences)) {
            throw new InvalidTokenException("token is not meant for this registry (audience)");
        }
    }

    private static boolean verifies(SignedJWT jwt, List<Key> candidates) {
        for (Key key : candidates) {
            try {
                JWSVerifier verifier = VERIFIERS.createJWSVerifier(jwt.getHeader(), key);
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // A key of the right type that cannot check this signature (e.g. another curve): try the next one.
            }
        }
        return false;
    }
}
