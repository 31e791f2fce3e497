package io.registryauth.realm;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
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

    /** Whether some realm's grants start or end at some instant. */
    public boolean timeBound() {
        for (RealmConfig realm : byService.values()) {
            if (realm.policy().timeBound()) {
                return true;
            }
        }
        return false;
    }

    /** Whether every realm's policy is the one in force at {@code now}. */
    public boolean inForceAt(Instant now) {
        for (RealmConfig realm : byService.values()) {
            if (!realm.policy().inForceAt(now)) {
                return false;
            }
        }
        return true;
    }

    /** This snapshot with every realm's policy as it is at {@code now}. */
    public RealmSnapshot at(Instant now) {
        Map<String, RealmConfig> moved = new HashMap<>(byService.size() * 2);
        byService.forEach((service, realm) -> moved.put(service, realm.policy().inForceAt(now) ? realm
                : realm.withPolicy(realm.policy().at(now))));
        return new RealmSnapshot(moved);
    }

    public Optional<RealmConfig> realm(String service) {
        return service == null ? Optional.empty() : Optional.ofNullable(byService.get(service));
    }
}
