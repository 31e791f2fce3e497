package io.registryauth.realm.auth.oidc;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * For identities from introspection-backed providers: the latest access token each one logged in with
 * and when the provider last confirmed it. A refresh-token use re-asks the provider with that token
 * once the recheck interval has passed. Memory only and bounded (least recently used go first).
 */
final class LastTokens {
    record Seen(String token, Instant tokenExpiresAt, Instant confirmedAt) {
        @Override
        public String toString() {
            return "Seen[token=<redacted>, tokenExpiresAt=" + tokenExpiresAt + ", confirmedAt=" + confirmedAt + "]";
        }
    }

    private final Map<String, Seen> byIdentity;

    LastTokens(int maxEntries) {
        this.byIdentity = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
                return size() > maxEntries;
            }
        };
    }

    private static String key(String providerName, String identityName) {
        return providerName + '\n' + identityName;
    }

    /** Keeps the most recently confirmed token: it is the one most likely to still be alive at the next check. */
    synchronized void remember(String providerName, String identityName, Seen seen) {
        byIdentity.merge(key(providerName, identityName), seen,
                (old, fresh) -> fresh.confirmedAt().isBefore(old.confirmedAt()) ? old : fresh);
    }

    synchronized Optional<Seen> get(String providerName, String identityName) {
        return Optional.ofNullable(byIdentity.get(key(providerName, identityName)));
    }

    synchronized void forget(String providerName, String identityName) {
        byIdentity.remove(key(providerName, identityName));
    }
}
