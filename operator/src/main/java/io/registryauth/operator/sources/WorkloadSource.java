package io.registryauth.operator.sources;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.AuthenticationSpec;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.WorkloadIdentitySpec;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.oidc.WorkloadAuthenticator;
import io.registryauth.realm.auth.oidc.WorkloadProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Workload-identity providers ({@code spec.authentication.workloadIdentity[]}): issuers of CI jobs' ID tokens,
 * each becoming a {@link WorkloadProvider}, its CA bundle read from a Secret of the RegistryAuth's namespace.
 *
 * <p>An issuer is one source's: a workload provider whose issuer is also an identity provider's
 * ({@code spec.authentication.oidc[]}) is left out with a {@value #WORKLOAD_IDENTITY_CONFLICT} problem, and the
 * identity provider keeps serving its users. Both kinds judge a JWT by its iss alone, so with both on one
 * issuer a person's token could be taken for a job's or the reverse; the token server asks this source
 * first, so no configuration it is handed can send a CI token anywhere else.
 */
public final class WorkloadSource implements IdentitySource {
    public static final String WORKLOAD_IDENTITY_UNAVAILABLE = "WorkloadIdentityUnavailable";
    public static final String WORKLOAD_IDENTITY_CONFLICT = "WorkloadIdentityConflict";

    @Override
    public Set<String> secretNames(RegistryAuth auth) {
        Set<String> names = new LinkedHashSet<>();
        for (WorkloadIdentitySpec spec : specs(auth)) {
            if (spec != null && spec.getCaBundleRef() != null && spec.getCaBundleRef().getName() != null) {
                names.add(spec.getCaBundleRef().getName());
            }
        }
        return names;
    }

    @Override
    public Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems) {
        List<WorkloadProvider> providers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> issuers = new HashSet<>();
        Set<String> oidcIssuers = new HashSet<>();
        for (OidcProviderSpec oidc : oidcSpecs(in.auth())) {
            if (oidc != null && oidc.getIssuer() != null) {
                oidcIssuers.add(oidc.getIssuer());
            }
        }
        for (WorkloadIdentitySpec spec : specs(in.auth())) {
            if (spec == null) {
                continue;
            }
            String what = "workload identity provider " + spec.getName();
            if (spec.getName() == null || spec.getName().isBlank() || spec.getIssuer() == null
                    || spec.getIssuer().isBlank()) {
                problems.add(new GrantModel.Problem(WORKLOAD_IDENTITY_UNAVAILABLE, what
                        + ": spec.authentication.workloadIdentity entries need a name and an issuer"));
                continue;
            }
            if (!names.add(spec.getName()) || !issuers.add(spec.getIssuer())) {
                problems.add(new GrantModel.Problem(WORKLOAD_IDENTITY_UNAVAILABLE, what
                        + " repeats the name or issuer of an earlier entry; only the first is used"));
                continue;
            }
            if (oidcIssuers.contains(spec.getIssuer())) {
                problems.add(new GrantModel.Problem(WORKLOAD_IDENTITY_CONFLICT, what + ": issuer " + spec.getIssuer()
                        + " is also an identity provider's (spec.authentication.oidc); one issuer's tokens are either"
                        + " people's or jobs', so this workload provider is not used"));
                continue;
            }
            Duration sessionMaxAge;
            try {
                sessionMaxAge = spec.sessionMaxAgeDuration();
            } catch (IllegalArgumentException e) {
                problems.add(new GrantModel.Problem(WORKLOAD_IDENTITY_UNAVAILABLE, what + ": " + e.getMessage()));
                continue;
            }
            String caBundle = null;
            if (spec.getCaBundleRef() != null) {
                Optional<String> pem = SecretValues.read(in.secrets(), spec.getCaBundleRef(), what + " caBundleRef",
                        WORKLOAD_IDENTITY_UNAVAILABLE, problems);
                if (pem.isEmpty()) {
                    continue;
                }
                caBundle = pem.get();
            }
            providers.add(new WorkloadProvider(spec.getName(), spec.getIssuer(), spec.getAudiences(), caBundle,
                    sessionMaxAge));
        }
        return Optional.of(new WorkloadProvider.Providers(providers));
    }

    @Override
    public Authenticator authenticator(KubernetesClient client) {
        return new WorkloadAuthenticator();
    }

    /** The providers a RegistryAuth names, for checking the provider of a grant's Workload subjects. */
    public static Set<String> providerNames(RegistryAuth auth) {
        Set<String> names = new HashSet<>();
        for (WorkloadIdentitySpec spec : specs(auth)) {
            if (spec != null && spec.getName() != null) {
                names.add(spec.getName());
            }
        }
        return names;
    }

    private static List<WorkloadIdentitySpec> specs(RegistryAuth auth) {
        AuthenticationSpec authentication = auth == null || auth.getSpec() == null ? null
                : auth.getSpec().getAuthentication();
        return authentication == null ? List.of() : authentication.getWorkloadIdentity();
    }

    private static List<OidcProviderSpec> oidcSpecs(RegistryAuth auth) {
        AuthenticationSpec authentication = auth.getSpec() == null ? null : auth.getSpec().getAuthentication();
        return authentication == null ? List.of() : authentication.getOidc();
    }
}
