package io.registryauth.realm.auth;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers credentials that passed bcrypt recently, so a busy client does not pay bcrypt on every
 * token request. Entries are HMAC-SHA256 values under a random per-instance key over (service, user,
 * password, stored hash): no password is kept, the values are useless outside this process, and a
 * changed hash (new password in the htpasswd) can never match an old entry. Bounded in size (oldest
 * entries evicted first) and in age.
 */
public final class CredentialCache {
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

    /** Counters for metrics: lookups that skipped bcrypt, lookups that did not, entries held. */
    public record Stats(long hits, long misses, int size) {}

    private final int maxEntries;
    private final long maxAgeMillis;
    private final Clock clock;
    private final SecretKeySpec hmacKey;
    private final ThreadLocal<Mac> macs;
    private final Map<Digest, Long> verifiedAt;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public CredentialCache() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_AGE, Clock.systemUTC());
    }

    public CredentialCache(int maxEntries, Duration maxAge, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.hmacKey = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
        // Insertion order: eviction drops the entry verified longest ago.
        this.verifiedAt = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, Long> eldest) {
                return size() > CredentialCache.this.maxEntries;
            }
        };
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(hmacKey);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The keyed digest naming one verified credential; compute once, then {@link #contains}/{@link #remember}. */
    public Digest key(String service, String username, String password, String storedHash) {
        return Digest.mac(macs.get(), service, username, password, storedHash);
    }

    /** True when this credential was verified within the max age; counts a hit or a miss. */
    public boolean contains(Digest key) {
        long now = clock.millis();
        boolean fresh;
        synchronized (verifiedAt) {
            Long at = verifiedAt.get(key);
            fresh = at != null && now - at < maxAgeMillis;
            if (at != null && !fresh) {
                verifiedAt.remove(key);
            }
        }
        (fresh ? hits : misses).increment();
        return fresh;
    }

    /** Whether {@link #contains} would hit now, without counting a lookup or dropping a stale entry. */
    public boolean holds(Digest key) {
        long now = clock.millis();
        synchronized (verifiedAt) {
            Long at = verifiedAt.get(key);
            return at != null && now - at < maxAgeMillis;
        }
    }

    /** Records a credential that has just passed bcrypt. */
    public void remember(Digest key) {
        long now = clock.millis();
        synchronized (verifiedAt) {
            // Re-insert so a re-verified entry moves to the young end.
            verifiedAt.remove(key);
            verifiedAt.put(key, now);
        }
    }

    public Stats stats() {
        int size;
        synchronized (verifiedAt) {
            size = verifiedAt.size();
        }
        return new Stats(hits.sum(), misses.sum(), size);
    }
}
