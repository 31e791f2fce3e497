package io.registryauth.realm.auth.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Recently validated tokens, so a pull that asks for several registry tokens costs one validation
 * (and one introspection call at most). Keys are SHA-256 digests of the token and of the provider
 * settings that judged it: the cache never holds a token, and a provider whose settings changed
 * judges its tokens afresh. Least recently used entries go first once the bound is reached.
 */
final class ValidationCache {
    /** What a provider said about a token: its claims, and until when that answer may be reused. */
    record Entry(String providerName, Map<String, Object> claims, Instant verifiedAt, Instant expiresAt) {
        Entry {
            claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims)); // JSON may hold nulls: no Map.copyOf
        }
    }

    private final int maxEntries;
    private final Map<String, Entry> entries;

    ValidationCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > ValidationCache.this.maxEntries;
            }
        };
    }

    static String key(String providerFingerprint, String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(providerFingerprint.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    synchronized Optional<Entry> get(String key, Instant now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!now.isBefore(entry.expiresAt())) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    synchronized void put(String key, Entry entry) {
        entries.put(key, entry);
    }

    synchronized int size() {
        return entries.size();
    }
}
