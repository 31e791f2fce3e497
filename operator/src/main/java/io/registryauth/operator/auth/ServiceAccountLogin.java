package io.registryauth.operator.auth;

import io.registryauth.api.v1alpha1.ServiceAccountAuthSpec;
import java.util.List;
import java.util.Optional;

/**
 * How one realm accepts service-account tokens as passwords: the audiences a token must be bound to
 * (empty means the realm's service) and whether legacy Secret-based tokens, which never expire, are let in.
 */
public record ServiceAccountLogin(List<String> audiences, boolean allowLegacyTokens) {
    public ServiceAccountLogin {
        audiences = audiences == null ? List.of()
                : audiences.stream().filter(a -> a != null && !a.isBlank()).map(String::strip).distinct().toList();
    }

    /** The login a RegistryAuth's {@code spec.authentication.serviceAccounts} asks for; empty when disabled. */
    public static Optional<ServiceAccountLogin> of(ServiceAccountAuthSpec spec) {
        return spec == null || !spec.isEnabled() ? Optional.empty()
                : Optional.of(new ServiceAccountLogin(spec.getAudiences(), spec.isAllowLegacyTokens()));
    }

    /** The audiences to ask the TokenReview for: the configured ones, else the realm's service. */
    List<String> audiencesFor(String service) {
        return audiences.isEmpty() ? List.of(service) : audiences;
    }
}
