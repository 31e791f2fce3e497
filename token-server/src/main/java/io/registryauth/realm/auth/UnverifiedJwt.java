package io.registryauth.realm.auth;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.Optional;

/**
 * A password read as a JWT before anything is verified: only to decide which source owns it (a JWT names its
 * issuer), never to admit anyone. Parsing never throws; anything that is not three dot-separated parts Nimbus
 * can read is no JWT.
 */
public final class UnverifiedJwt {
    private UnverifiedJwt() {
    }

    public static Optional<JWT> parse(String token) {
        if (token == null || token.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(JWTParser.parse(token));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The {@code iss} a JWT names, unverified; empty for anything else. */
    public static Optional<String> issuer(JWT jwt) {
        try {
            return Optional.ofNullable(jwt.getJWTClaimsSet().getIssuer());
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
