package io.registryauth.cli;

import java.time.Clock;
import java.util.function.Supplier;

/**
 * Hands out a provider access token that lives at least another minute: the stored one while it does,
 * else a new one from the provider's refresh grant. Concurrent callers (docker pulls several layers, CI
 * runs several builds) take the registry's lock, and whoever comes second finds the first one's token.
 */
final class Refresher {
    static final long MARGIN_SECONDS = 60;

    private final Store store;
    private final Clock clock;
    private final Supplier<OAuth> oauth;

    Refresher(Store store, Clock clock, Supplier<OAuth> oauth) {
        this.store = store;
        this.clock = clock;
        this.oauth = oauth;
    }

    /**
     * Fresh = more than a minute left, or more than half its lifetime for tokens that live under two
     * minutes (else a 15-second token would be refreshed on every call and concurrent calls could not share).
     */
    boolean fresh(Session session) {
        if (session.accessToken() == null) {
            return false;
        }
        long lifetime = session.accessExpiresAt() - session.accessObtainedAt();
        long margin = session.accessObtainedAt() > 0 ? Math.min(MARGIN_SECONDS, lifetime / 2) : MARGIN_SECONDS;
        return session.accessExpiresAt() - clock.instant().getEpochSecond() > margin;
    }

    /** The session with a fresh access token; {@link SessionEndedException} when only a new login helps. */
    Session freshSession(Session session) {
        if (fresh(session)) {
            return session;
        }
        String registry = session.registry();
        try (AutoCloseable ignored = store.lock(registry)) {
            Session current = store.load(registry);
            if (current == null) {
                throw new SessionEndedException(registry, "signed out");
            }
            if (fresh(current)) {
                return current;
            }
            long now = clock.instant().getEpochSecond();
            if (current.refreshToken() == null) {
                throw new SessionEndedException(registry, "the provider gave no refresh token");
            }
            if (current.sessionExpiresAt() > 0 && current.sessionExpiresAt() <= now) {
                throw new SessionEndedException(registry, "the provider's session expired");
            }
            TokenSet tokens;
            try {
                tokens = oauth.get().refresh(current.tokenEndpoint(), current.clientId(), current.refreshToken());
            } catch (OAuth.GrantRefused e) {
                if ("invalid_grant".equals(e.error) || "invalid_token".equals(e.error)) {
                    throw new SessionEndedException(registry, "the provider refused the refresh: " + e.error);
                }
                throw new CliException("provider " + current.provider() + " refused the refresh for " + registry
                        + ": " + e.getMessage());
            }
            // Providers may or may not rotate refresh tokens: keep the old one when no new one comes.
            Session refreshed = current.withTokens(tokens.accessToken(), tokens.obtainedAt(), tokens.accessExpiresAt(),
                    tokens.refreshToken() != null ? tokens.refreshToken() : current.refreshToken(),
                    tokens.refreshToken() != null ? tokens.refreshExpiresAt() : current.sessionExpiresAt());
            store.save(refreshed);
            return refreshed;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException("cannot release the lock for " + registry + ": " + e.getMessage(), e);
        }
    }
}
