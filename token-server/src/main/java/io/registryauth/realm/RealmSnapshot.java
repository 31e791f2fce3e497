package io.registryauth.realm;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** All realms this server answers for, keyed by service. A request reads one snapshot start to end. */
public record RealmSnapshot(Map<String, RealmConfig> byService) {
    public static final RealmSnapshot EMPTY = new RealmSnapshot(Map.of());

    public RealmSnapshot {
        byService = Map.copyOf(byService);
    }

    public static RealmSnapshot of(Collection<RealmConfig> realms) {
        return new RealmSnapshot(realms.stream().collect(Collectors.toMap(RealmConfig::service, Function.identity())));
    }

    public Optional<RealmConfig> realm(String service) {
        return service == null ? Optional.empty() : Optional.ofNullable(byService.get(service));
    }
}
