package io.registryauth.realm.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.SubjectKind;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Refresh tokens of our own: HS256 JWTs under the realm's refresh-token key, so any replica holding
 * the realm state can verify them without shared storage. They name the authenticator that admitted
 * the caller; the HTTP layer re-checks the identity with that authenticator on every use.
 */
public final class RefreshTokens {
    /** JOSE "typ" of a refresh token; access tokens say "JWT" and are never accepted here. */
    static final JOSEObjectType TYPE = new JOSEObjectType("registry-refresh+jwt");
    static final String USE_CLAIM = "token_use";
    static final String USE = "refresh";
    static final String AUTHENTICATOR_CLAIM = "authn";
    static final String KIND_CLAIM = "kind";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RefreshTokens() {
    }

    public static String issue(RealmConfig realm, Identity identity, Instant now) {
        byte[] jti = new byte[16];
        RANDOM.nextBytes(jti);
        Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(realm.issuer())
                .audience(realm.service())
                .subject(identity.name())
                .issueTime(Date.from(iat))
                .expirationTime(Date.from(iat.plus(realm.refreshTtl())))
                .jwtID(Base64.getUrlEncoder().withoutPadding().encodeToString(jti))
                .claim(USE_CLAIM, USE)
                .claim(AUTHENTICATOR_CLAIM, identity.authenticator())
                .claim(KIND_CLAIM, identity.kind().name())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE).build(), claims);
        try {
            jwt.sign(new MACSigner(realm.refreshTokenKey()));
        } catch (JOSEException e) {
            throw new IllegalStateException("refresh token signing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * The identity a valid refresh token names (groups empty: the authenticator's recheck fills in the
     * current ones), or empty when the token is malformed, forged, expired, of another type, or for
     * another issuer or service.
     */
    public static Optional<Identity> verify(RealmConfig realm, String token, Instant now) {
        if (token == null || token.isEmpty() || token.length() > 8192) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader header = jwt.getHeader();
            if (!JWSAlgorithm.HS256.equals(header.getAlgorithm()) || !TYPE.equals(header.getType())
                    || !jwt.verify(new MACVerifier(realm.refreshTokenKey()))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            List<String> audience = claims.getAudience();
            String subject = claims.getSubject();
            String authenticator = claims.getStringClaim(AUTHENTICATOR_CLAIM);
            String kind = claims.getStringClaim(KIND_CLAIM);
            if (!USE.equals(claims.getStringClaim(USE_CLAIM))
                    || !realm.issuer().equals(claims.getIssuer())
                    || audience.size() != 1 || !realm.service().equals(audience.get(0))
                    || exp == null || !now.isBefore(exp.toInstant())
                    || subject == null || authenticator == null || kind == null) {
                return Optional.empty();
            }
            return Optional.of(new Identity(subject, Set.of(), authenticator, SubjectKind.valueOf(kind)));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
