package io.registryauth.realm.sign;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/** Realm configurations for tests, with keys generated once per JVM. */
public final class TestRealms {
    public static final String SERVICE = "registry.example.com";
    public static final String ISSUER = "registry-auth";
    public static final Duration TOKEN_TTL = Duration.ofMinutes(15);
    public static final Duration REFRESH_TTL = Duration.ofHours(720);
    private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");
    private static SigningKey es256;

    private TestRealms() {
    }

    public static synchronized SigningKey es256() {
        if (es256 == null) {
            es256 = SigningKey.generate(SigningAlgorithm.ES256, "test", EPOCH, Duration.ofDays(3650));
        }
        return es256;
    }

    public static RealmConfig realm(Map<String, StaticUser> users) {
        return realm(SERVICE, ISSUER, KeyRing.of(es256()), users);
    }

    public static RealmConfig realm(String service, String issuer, KeyRing keys, Map<String, StaticUser> users) {
        return new RealmConfig("test/" + service, service, issuer, "https://auth.example.com/token", TOKEN_TTL,
                REFRESH_TTL, keys, refreshKey('k'), false, users, Policy.empty());
    }

    /** A 32-byte refresh-token key filled with {@code fill}. */
    public static byte[] refreshKey(char fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    public static String resource(String name) {
        try (var in = TestRealms.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
