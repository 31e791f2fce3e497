package io.registryauth.operator.feed;

import io.registryauth.operator.auth.ServiceAccountLogin;
import io.registryauth.realm.RealmConfig;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which realms let service accounts log in, as the feed last read it from their RegistryAuths (the realm
 * itself knows no Kubernetes). Handed to the service-account authenticator before the feed starts.
 */
public final class ServiceAccountLogins implements Function<RealmConfig, Optional<ServiceAccountLogin>> {
    private volatile Map<String, ServiceAccountLogin> byRealmId = Map.of();

    @Override
    public Optional<ServiceAccountLogin> apply(RealmConfig realm) {
        return Optional.ofNullable(byRealmId.get(realm.id()));
    }

    void replace(Map<String, ServiceAccountLogin> next) {
        byRealmId = Map.copyOf(next);
    }
}
