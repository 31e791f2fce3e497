package io.registryauth.cli;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.Map;

/** A token endpoint's answer. Times are epoch seconds; 0 = the provider did not say. */
record TokenSet(String accessToken, long obtainedAt, long accessExpiresAt, String refreshToken, long refreshExpiresAt, String idToken) {

    static TokenSet fromResponse(Map<String, Object> json, long now) {
        String access = Json.string(json, "access_token");
        if (access == null) {
            throw new CliException("the provider's answer holds no access token");
        }
        long expiresIn = Json.number(json, "expires_in", 0);
        long accessExpires = expiresIn > 0 ? now + expiresIn : expiryClaim(access);
        // Keycloak says how long the refresh token lasts (its session idle time); 0 there means no limit.
        long refreshExpiresIn = Json.number(json, "refresh_expires_in", 0);
        return new TokenSet(access, now, accessExpires, Json.string(json, "refresh_token"),
                refreshExpiresIn > 0 ? now + refreshExpiresIn : 0, Json.string(json, "id_token"));
    }

    /** The claims of a JWT access token (or ID token), read without checking them: the realm checks. */
    static Map<String, Object> claims(String token) {
        try {
            JWT jwt = JWTParser.parse(token);
            return jwt.getJWTClaimsSet().toJSONObject();
        } catch (ParseException | RuntimeException e) {
            return Map.of();
        }
    }

    private static long expiryClaim(String token) {
        return Json.number(claims(token), "exp", 0);
    }

    @Override
    public String toString() {
        return "TokenSet[expires " + accessExpiresAt + "]";
    }
}
