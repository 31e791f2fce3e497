package io.registryauth.realm.auth.oidc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One issuer of workload ID tokens (GitHub Actions, a GitLab instance, any OIDC issuer whose tokens describe
 * a job rather than a person) whose tokens a realm accepts as the docker password, under any username.
 *
 * @param name          short name; its identities' source is {@code workload:<name>}, grants name it as provider
 * @param issuer        issuer URL, equal to the tokens' iss; keys found through its discovery document
 * @param audiences     audiences a token must name (any one); empty = the realm's service
 * @param caBundlePem   PEM certificates to trust for this issuer; null = the JVM's trust store
 * @param sessionMaxAge how long the realm refresh token of a login lasts; null = 1 hour, zero = it ends
 *                      with the ID token
 */
public record WorkloadProvider(String name, String issuer, List<String> audiences, String caBundlePem,
                               Duration sessionMaxAge) {
    public static final Duration DEFAULT_SESSION_MAX_AGE = Duration.ofHours(1);

    public WorkloadProvider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(issuer, "issuer");
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        sessionMaxAge = sessionMaxAge == null ? DEFAULT_SESSION_MAX_AGE : sessionMaxAge;
        if (sessionMaxAge.isNegative()) {
            throw new IllegalArgumentException("sessionMaxAge must not be negative");
        }
    }

    /** The workload-identity providers of a realm: the value the realm keeps for this source. */
    public record Providers(List<WorkloadProvider> all) {
        public Providers {
            all = List.copyOf(all);
        }
    }
}
