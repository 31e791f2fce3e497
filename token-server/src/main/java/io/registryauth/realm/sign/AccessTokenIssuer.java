package io.registryauth.realm.sign;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;

/**
 * Signs registry access tokens with the realm's active key. The JWS is assembled by hand from a header
 * precomputed per key and a payload written here, so the cost is one signature plus a little string
 * work, and the payload is kept safe for clients that decode it with the non-URL-safe Base64 decoder.
 */
public final class AccessTokenIssuer {
    private static final Base64.Encoder BASE64_URL = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final boolean includeX5c;

    /** Tokens carry both the libtrust {@code kid} and the {@code x5c} certificate. */
    public AccessTokenIssuer() {
        this(true);
    }

    public AccessTokenIssuer(boolean includeX5c) {
        this.includeX5c = includeX5c;
    }

    /**
     * A signed token for {@code who} holding {@code granted} (possibly empty).
     *
     * @param token     compact JWS
     * @param expiresIn seconds, equal to exp - iat
     * @param issuedAt  iat, whole seconds
     */
    public record IssuedToken(String token, long expiresIn, Instant issuedAt) {
        @Override
        public String toString() {
            return "IssuedToken[expiresIn=" + expiresIn + ", issuedAt=" + issuedAt + "]";
        }
    }

    public IssuedToken issue(RealmConfig realm, Identity who, List<ResourceScope> granted, Instant now) {
        SigningKey key = realm.keys().active();
        long iat = now.getEpochSecond();
        long ttl = realm.tokenTtl().getSeconds();
        long exp = iat + ttl;
        String payload = BASE64_URL.encodeToString(
                payloadJson(realm, who, granted, iat, exp).getBytes(StandardCharsets.US_ASCII));
        String signingInput = key.encodedHeader(includeX5c) + "." + payload;
        String signature = key.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
        return new IssuedToken(signingInput + "." + signature, exp - iat, Instant.ofEpochSecond(iat));
    }

    private static String payloadJson(RealmConfig realm, Identity who, List<ResourceScope> granted, long iat,
                                      long exp) {
        StringBuilder json = new StringBuilder(256 + 96 * granted.size());
        json.append("{\"iss\":");
        string(json, realm.issuer());
        json.append(",\"sub\":");
        string(json, who.anonymous() ? "" : who.name());
        json.append(",\"aud\":");
        string(json, realm.service());
        json.append(",\"exp\":").append(exp);
        json.append(",\"nbf\":").append(iat);
        json.append(",\"iat\":").append(iat);
        json.append(",\"jti\":\"");
        jti(json);
        json.append("\",\"access\":[");
        for (int i = 0; i < granted.size(); i++) {
            ResourceScope scope = granted.get(i);
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"type\":");
            string(json, scope.typeWithClass());
            json.append(",\"name\":");
            string(json, scope.name());
            json.append(",\"actions\":[");
            boolean first = true;
            // Sorted so equal grants give equal tokens whatever set implementation the scope holds.
            Iterable<String> actions = scope.actions().size() < 2 ? scope.actions() : new TreeSet<>(scope.actions());
            for (String action : actions) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                string(json, action);
            }
            json.append("]}");
        }
        return json.append("]}").toString();
    }

    private static void jti(StringBuilder json) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        for (byte b : bytes) {
            json.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
    }

    /**
     * Appends a JSON string in pure ASCII. Besides what JSON requires, {@code > ? ~} and DEL are escaped:
     * in ASCII text only those bytes can put '-' or '_' into base64url, which Jib's decoder rejects.
     */
    static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f || c == '>' || c == '?' || c == '~') {
                        json.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
