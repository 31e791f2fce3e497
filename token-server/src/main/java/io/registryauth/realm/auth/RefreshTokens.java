package io.registryauth.realm.auth;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.SubjectKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Realm refresh tokens: the whole {@link Session} (identity, groups, source, start, end and what the
 * session is bound to) encrypted and authenticated with AES-256-GCM under the realm's refresh-token key
 * (JWE, direct encryption). Any replica holding the realm state opens them without shared storage or
 * memory of the login, and the holder can read nothing in them, not even the provider token a session
 * may carry. Typed, so an access token is never accepted as one, and bound to issuer and service.
 *
 * <p>Keys rotate: new tokens are sealed with the first of {@link RealmConfig#refreshTokenKeys()}, and a
 * token opens with whichever key its {@code kid} names, so sessions survive a rotation for as long as
 * their key is kept.
 */
public final class RefreshTokens {
    /** JOSE "typ" of a refresh token; access tokens say "JWT" and are never accepted here. */
    static final JOSEObjectType TYPE = new JOSEObjectType("registry-refresh+jwt");
    /** Longest refresh token accepted (and issued: a session with very many groups gets none). */
    public static final int MAX_CHARS = 8192;
    static final String USE_CLAIM = "token_use";
    static final String USE = "refresh";
    static final String SOURCE_CLAIM = "src";
    static final String KIND_CLAIM = "kind";
    static final String GROUPS_CLAIM = "grp";
    static final String CREDENTIAL_CLAIM = "cred";
    static final String REMOTE_TOKEN_CLAIM = "rt";
    static final String REMOTE_TOKEN_EXPIRY_CLAIM = "rt_exp";
    /** A workload identity's token claims, so a refreshed token is matched as the login was. */
    static final String WORKLOAD_CLAIMS_CLAIM = "wlc";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RefreshTokens() {
    }

    /**
     * A refresh token for a session starting {@code now}, ending at the realm's refresh-token lifetime or
     * earlier when the admitting source says so; empty when the session would already be over or the token
     * would be too long.
     */
    public static Optional<String> issue(RealmConfig realm, Identity identity, SessionBinding binding, Instant now) {
        Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
        Instant exp = iat.plus(realm.refreshTtl());
        if (binding.notAfter() != null && binding.notAfter().isBefore(exp)) {
            exp = Instant.ofEpochSecond(binding.notAfter().getEpochSecond());
        }
        if (!exp.isAfter(iat)) {
            return Optional.empty();
        }
        byte[] jti = new byte[16];
        RANDOM.nextBytes(jti);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(realm.issuer())
                .audience(realm.service())
                .subject(identity.name())
                .issueTime(Date.from(iat))
                .expirationTime(Date.from(exp))
                .jwtID(Base64.getUrlEncoder().withoutPadding().encodeToString(jti))
                .claim(USE_CLAIM, USE)
                .claim(SOURCE_CLAIM, identity.authenticator())
                .claim(KIND_CLAIM, identity.kind().name())
                .claim(GROUPS_CLAIM, List.copyOf(identity.groups()));
        if (!identity.claims().isEmpty()) {
            claims.claim(WORKLOAD_CLAIMS_CLAIM, new java.util.TreeMap<>(identity.claims()));
        }
        if (binding.credential() != null) {
            claims.claim(CREDENTIAL_CLAIM, binding.credential());
        }
        if (binding.remoteToken() != null && binding.remoteTokenExpiresAt() != null) {
            claims.claim(REMOTE_TOKEN_CLAIM, binding.remoteToken())
                    .claim(REMOTE_TOKEN_EXPIRY_CLAIM, binding.remoteTokenExpiresAt().getEpochSecond());
        }
        byte[] key = realm.refreshTokenKeys().get(0);
        EncryptedJWT jwt = new EncryptedJWT(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .type(TYPE).keyID(keyId(key)).build(), claims.build());
        try {
            jwt.encrypt(new DirectEncrypter(aesKey(key)));
        } catch (JOSEException e) {
            throw new IllegalStateException("refresh token encryption failed", e);
        }
        String token = jwt.serialize();
        return token.length() > MAX_CHARS ? Optional.empty() : Optional.of(token);
    }

    /**
     * The session a valid refresh token carries, or empty when the token is malformed, forged, expired, of
     * another type, sealed with a key the realm no longer holds, or for another issuer or service.
     */
    public static Optional<Session> open(RealmConfig realm, String token, Instant now) {
        if (token == null || token.isEmpty() || token.length() > MAX_CHARS) {
            return Optional.empty();
        }
        try {
            EncryptedJWT jwt = EncryptedJWT.parse(token);
            JWEHeader header = jwt.getHeader();
            if (!JWEAlgorithm.DIR.equals(header.getAlgorithm()) || !EncryptionMethod.A256GCM.equals(header.getEncryptionMethod())
                    || !TYPE.equals(header.getType()) || header.getKeyID() == null) {
                return Optional.empty();
            }
            byte[] key = realm.refreshTokenKeys().stream().filter(k -> keyId(k).equals(header.getKeyID()))
                    .findFirst().orElse(null);
            if (key == null) {
                return Optional.empty();
            }
            jwt.decrypt(new DirectDecrypter(aesKey(key)));
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date iat = claims.getIssueTime();
            Date exp = claims.getExpirationTime();
            List<String> audience = claims.getAudience();
            String subject = claims.getSubject();
            String source = claims.getStringClaim(SOURCE_CLAIM);
            String kind = claims.getStringClaim(KIND_CLAIM);
            List<String> groups = claims.getStringListClaim(GROUPS_CLAIM);
            if (!USE.equals(claims.getStringClaim(USE_CLAIM))
                    || !realm.issuer().equals(claims.getIssuer())
                    || audience.size() != 1 || !realm.service().equals(audience.get(0))
                    || iat == null || exp == null || !now.isBefore(exp.toInstant())
                    || subject == null || source == null || kind == null) {
                return Optional.empty();
            }
            String remoteToken = claims.getStringClaim(REMOTE_TOKEN_CLAIM);
            Long remoteExpiry = claims.getLongClaim(REMOTE_TOKEN_EXPIRY_CLAIM);
            SessionBinding binding = new SessionBinding(claims.getStringClaim(CREDENTIAL_CLAIM), remoteToken,
                    remoteToken == null || remoteExpiry == null ? null : Instant.ofEpochSecond(remoteExpiry),
                    exp.toInstant());
            Set<String> groupSet = groups == null ? Set.of() : new LinkedHashSet<>(groups);
            Map<String, Object> workloadClaims = claims.getJSONObjectClaim(WORKLOAD_CLAIMS_CLAIM);
            Identity identity = new Identity(subject, groupSet, source, SubjectKind.valueOf(kind),
                    workloadClaims == null ? Map.of() : scalars(workloadClaims));
            return Optional.of(new Session(identity, iat.toInstant(), exp.toInstant(), binding));
        } catch (ParseException | JOSEException | RuntimeException e) {
            // Whatever a holder sends is untrusted input: the JOSE library's parser answers some malformed
            // headers with unchecked exceptions (a header without "enc", say), which mean "not ours" too.
            return Optional.empty();
        }
    }

    /** The string, number and boolean entries of a sealed claims object (all there are: only those were sealed). */
    private static Map<String, Object> scalars(Map<String, Object> sealed) {
        Map<String, Object> out = new java.util.HashMap<>();
        sealed.forEach((name, value) -> {
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                out.put(name, value);
            }
        });
        return out;
    }

    /** A short, stable name for a key, so a token says which key sealed it without revealing it. */
    static String keyId(byte[] key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(sha256("kid", key), 9));
    }

    /** Refresh-token keys are at least 32 bytes; AES-256 takes exactly 32, derived so any length works. */
    private static byte[] aesKey(byte[] key) {
        return sha256("registry-auth refresh token v2", key);
    }

    private static byte[] sha256(String label, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(label.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** A fingerprint of a stored credential (a password hash), for {@link SessionBinding#credential}. */
    public static String fingerprint(String storedCredential) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.util.Arrays.copyOf(sha256("credential", storedCredential.getBytes(StandardCharsets.UTF_8)), 18));
    }
}
