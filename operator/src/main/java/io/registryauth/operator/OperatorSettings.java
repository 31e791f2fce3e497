package io.registryauth.operator;

import io.registryauth.api.v1alpha1.Durations;
import io.registryauth.realm.http.TrustedProxies;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings: one place read by the main program (from the environment) and built by tests,
 * so tests run the production wiring.
 *
 * @param namespaces        namespaces to watch; empty = all
 * @param publicRealmUrl    URL clients reach the realm at, for RegistryAuths without spec.realm; null = none
 * @param rotationLeadTime  how long a new key waits in the bundle before signing when no Deployment is wired
 * @param retireLeeway      added to the token lifetime before a retired key leaves the bundle (the
 *                          registry accepts tokens up to 60 s after exp)
 * @param leaderElection    whether only the Lease holder reconciles
 * @param leaseName         Lease name
 * @param leaseNamespace    Lease namespace; null = the namespace the operator runs in
 * @param identity          leader-election identity; null = the host name
 * @param trustedProxies    proxies in front of the realm whose X-Forwarded-For names the client; none by default
 * @param clock             time source of key rotation
 */
public record OperatorSettings(Set<String> namespaces, String publicRealmUrl, Duration rotationLeadTime,
                               Duration retireLeeway, boolean leaderElection, String leaseName,
                               String leaseNamespace, String identity, TrustedProxies trustedProxies,
                               Clock clock) {
    public static final String ENV_NAMESPACES = "WATCH_NAMESPACES";
    public static final String ENV_PUBLIC_REALM_URL = "REALM_PUBLIC_URL";
    public static final String ENV_ROTATION_LEAD_TIME = "ROTATION_LEAD_TIME";
    public static final String ENV_LEADER_ELECTION = "LEADER_ELECTION";
    public static final String ENV_LEASE_NAME = "LEASE_NAME";
    public static final String ENV_LEASE_NAMESPACE = "LEASE_NAMESPACE";
    public static final String ENV_POD_NAMESPACE = "POD_NAMESPACE";
    public static final String ENV_POD_NAME = "POD_NAME";
    public static final String ENV_TRUSTED_PROXIES = "TRUSTED_PROXIES";
    public static final String DEFAULT_LEASE_NAME = "registry-auth-operator";
    public static final Duration DEFAULT_ROTATION_LEAD_TIME = Duration.ofMinutes(10);
    public static final Duration DEFAULT_RETIRE_LEEWAY = Duration.ofMinutes(2);

    public OperatorSettings {
        namespaces = Set.copyOf(namespaces);
        Objects.requireNonNull(rotationLeadTime, "rotationLeadTime");
        Objects.requireNonNull(retireLeeway, "retireLeeway");
        Objects.requireNonNull(leaseName, "leaseName");
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        Objects.requireNonNull(clock, "clock");
        if (rotationLeadTime.isNegative() || retireLeeway.isNegative()) {
            throw new IllegalArgumentException("rotation lead time and retire leeway must not be negative");
        }
    }

    /** All namespaces, no public URL, no leader election, no trusted proxy, the system clock. */
    public static OperatorSettings defaults() {
        return new OperatorSettings(Set.of(), null, DEFAULT_ROTATION_LEAD_TIME, DEFAULT_RETIRE_LEEWAY, false,
                DEFAULT_LEASE_NAME, null, null, TrustedProxies.NONE, Clock.systemUTC());
    }

    /**
     * Settings from environment variables (see the ENV_ constants; manifests/04-deployment.yaml sets them).
     * Throws IllegalArgumentException naming the variable when a value is invalid.
     */
    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        OperatorSettings settings = defaults();
        String namespaces = env.get(ENV_NAMESPACES);
        if (namespaces != null && !namespaces.isBlank()) {
            settings = settings.withNamespaces(Arrays.stream(namespaces.split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet()));
        }
        String url = env.get(ENV_PUBLIC_REALM_URL);
        if (url != null && !url.isBlank()) {
            settings = settings.withPublicRealmUrl(url.trim());
        }
        String leadTime = env.get(ENV_ROTATION_LEAD_TIME);
        if (leadTime != null && !leadTime.isBlank()) {
            try {
                settings = settings.withRotationLeadTime(Durations.parse(leadTime));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV_ROTATION_LEAD_TIME + ": " + e.getMessage(), e);
            }
        }
        String election = env.get(ENV_LEADER_ELECTION);
        if (election != null && !election.isBlank()) {
            if (!election.equalsIgnoreCase("true") && !election.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(ENV_LEADER_ELECTION + " must be true or false");
            }
            settings = settings.withLeaderElection(Boolean.parseBoolean(election));
        }
        String proxies = env.get(ENV_TRUSTED_PROXIES);
        if (proxies != null && !proxies.isBlank()) {
            try {
                settings = settings.withTrustedProxies(TrustedProxies.parse(Arrays.stream(proxies.split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV_TRUSTED_PROXIES + ": " + e.getMessage(), e);
            }
        }
        String leaseName = env.getOrDefault(ENV_LEASE_NAME, "");
        String leaseNamespace = env.getOrDefault(ENV_LEASE_NAMESPACE, env.get(ENV_POD_NAMESPACE));
        return new OperatorSettings(settings.namespaces, settings.publicRealmUrl, settings.rotationLeadTime,
                settings.retireLeeway, settings.leaderElection,
                leaseName.isBlank() ? DEFAULT_LEASE_NAME : leaseName.trim(),
                leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace.trim(),
                env.get(ENV_POD_NAME), settings.trustedProxies, settings.clock);
    }

    public OperatorSettings withNamespaces(Set<String> value) {
        return new OperatorSettings(value, publicRealmUrl, rotationLeadTime, retireLeeway, leaderElection,
                leaseName, leaseNamespace, identity, trustedProxies, clock);
    }

    public OperatorSettings withPublicRealmUrl(String value) {
        return new OperatorSettings(namespaces, value, rotationLeadTime, retireLeeway, leaderElection,
                leaseName, leaseNamespace, identity, trustedProxies, clock);
    }

    public OperatorSettings withRotationLeadTime(Duration value) {
        return new OperatorSettings(namespaces, publicRealmUrl, value, retireLeeway, leaderElection,
                leaseName, leaseNamespace, identity, trustedProxies, clock);
    }

    public OperatorSettings withRetireLeeway(Duration value) {
        return new OperatorSettings(namespaces, publicRealmUrl, rotationLeadTime, value, leaderElection,
                leaseName, leaseNamespace, identity, trustedProxies, clock);
    }

    public OperatorSettings withLeaderElection(boolean value) {
        return new OperatorSettings(namespaces, publicRealmUrl, rotationLeadTime, retireLeeway, value,
                leaseName, leaseNamespace, identity, trustedProxies, clock);
    }

    /** Turns leader election on with this Lease. */
    public OperatorSettings withLease(String name, String namespace, String identityOrNull) {
        return new OperatorSettings(namespaces, publicRealmUrl, rotationLeadTime, retireLeeway, true,
                name, namespace, identityOrNull, trustedProxies, clock);
    }

    public OperatorSettings withClock(Clock value) {
        return new OperatorSettings(namespaces, publicRealmUrl, rotationLeadTime, retireLeeway, leaderElection,
                leaseName, leaseNamespace, identity, trustedProxies, value);
    }

    public OperatorSettings withTrustedProxies(TrustedProxies value) {
        return new OperatorSettings(namespaces, publicRealmUrl, rotationLeadTime, retireLeeway, leaderElection,
                leaseName, leaseNamespace, identity, value, clock);
    }
}
