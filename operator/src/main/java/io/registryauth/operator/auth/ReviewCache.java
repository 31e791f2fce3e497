package io.registryauth.operator.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recent positive TokenReview answers, keyed by a SHA-256 of the token (never the token itself) with the
 * service and audiences it was reviewed for. Bounded (least recently used entries go first); an entry
 * is good until its own expiry, which the caller caps at the token's {@code exp}.
 */
final class ReviewCache {
    /** A reviewed service account: its "namespace:name", its uid, the groups the API server gave it, and until when. */
    record Entry(String serviceAccount, String uid, List<String> groups, Instant expires) {
    }

    private final int capacity;
    private final Map<String, Entry> entries;

    ReviewCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    static String key(String service, List<String> audiences, String token) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(service.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(String.join(" ", audiences).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    synchronized Entry get(String key, Instant now) {
        Entry entry = entries.get(key);
        if (entry != null && !now.isBefore(entry.expires())) {
            entries.remove(key);
            return null;
        }
        return entry;
    }

    synchronized void put(String key, Entry entry) {
        if (capacity <= 0) {
            return;
        }
        entries.put(key, entry);
        if (entries.size() > capacity) {
            entries.remove(entries.keySet().iterator().next());
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
