package io.registryauth.operator.feed;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.operator.ResourceNames;
import io.registryauth.realm.RealmState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the realm feed tells about its own freshness, on the token server's {@code /metrics}:
 * <ul>
 *   <li>{@code registry_auth_snapshot_age_seconds}: seconds since the feed last knew its caches were in step
 *       with the API server (every informer watching). It grows through an API outage while the last good
 *       snapshot keeps serving; docs/reliability.md has the alert rule;</li>
 *   <li>{@code registry_auth_snapshot_persisted}: 1 while the realm served was built from the inputs kept on
 *       disk (a start without the API server), 0 once the API server answered;</li>
 *   <li>{@code registry_auth_unreadable_objects}: custom resources the last rebuild could not read;</li>
 *   <li>{@code registry_auth_signing_key_remaining_seconds}: the least time any realm's active signing key
 *       has left before its certificate ends (NaN without realms). The operator rotates keys well before;
 *       a value below the rotation lead time means rotation is stuck.</li>
 * </ul>
 */
final class StaticStability {
    static final String AGE = "registry_auth_snapshot_age_seconds";
    static final String PERSISTED = "registry_auth_snapshot_persisted";
    static final String UNREADABLE = "registry_auth_unreadable_objects";
    static final String KEY_REMAINING = "registry_auth_signing_key_remaining_seconds";

    private StaticStability() {
    }

    static void publish(RealmFeed feed, RealmState state) {
        state.addGauge(new RealmState.Gauge(AGE, "Seconds since the realm's inputs were last known to be current"
                + " (NaN before the first time).", () -> {
                    Instant at = feed.confirmedAt();
                    return at == null ? Double.NaN : Duration.between(at, Instant.now()).toMillis() / 1000.0;
                }));
        state.addGauge(new RealmState.Gauge(PERSISTED, "1 while the realm is served from inputs persisted on disk.",
                () -> feed.servingPersisted() ? 1 : 0));
        state.addGauge(new RealmState.Gauge(UNREADABLE, "Custom resources that could not be read and are left out"
                + " (or kept at their last readable version).", feed::unreadable));
        state.addGauge(new RealmState.Gauge(KEY_REMAINING, "Least seconds any realm's active signing key has"
                + " left before its certificate ends (NaN without realms).", () -> {
                    Instant now = Instant.now();
                    return state.current().byService().values().stream()
                            .mapToDouble(realm -> Duration.between(now, realm.keys().active().notAfter()).toSeconds())
                            .min().orElse(Double.NaN);
                }));
    }

    /** Adds {@code secret} to {@code used}, by "namespace/name", and returns it (null stays null). */
    static Secret remember(Map<String, Secret> used, Secret secret) {
        if (secret != null) {
            used.put(ResourceNames.key(secret), secret);
        }
        return secret;
    }
}
