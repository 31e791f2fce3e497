package io.registryauth.operator.sources;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.AuthenticationSpec;
import io.registryauth.api.v1alpha1.OidcIntrospectionSpec;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.oidc.CliClient;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.auth.oidc.OidcProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Identity providers ({@code spec.authentication.oidc[]}): each entry becomes an {@link OidcProvider}, with
 * its client secret and CA bundle read from Secrets of the RegistryAuth's namespace. A provider whose spec
 * or Secrets cannot be used is left out with an {@value #IDENTITY_PROVIDER_UNAVAILABLE} problem naming the
 * Secret and key, never their content; the other providers keep serving.
 */
public final class OidcSource implements IdentitySource {
    public static final String IDENTITY_PROVIDER_UNAVAILABLE = "IdentityProviderUnavailable";

    @Override
    public Set<String> secretNames(RegistryAuth auth) {
        Set<String> names = new LinkedHashSet<>();
        for (OidcProviderSpec provider : specs(auth)) {
            if (provider == null) {
                continue;
            }
            OidcIntrospectionSpec introspection = provider.getIntrospection();
            for (SecretKeyReference ref : new SecretKeyReference[] {
                    introspection == null ? null : introspection.getClientSecretRef(), provider.getCaBundleRef()}) {
                if (ref != null && ref.getName() != null) {
                    names.add(ref.getName());
                }
            }
        }
        return names;
    }

    @Override
    public Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems) {
        List<OidcProvider> providers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (OidcProviderSpec spec : specs(in.auth())) {
            if (spec == null) {
                continue;
            }
            String what = "identity provider " + spec.getName();
            if (spec.getName() == null || spec.getName().isBlank() || spec.getIssuer() == null
                    || spec.getIssuer().isBlank()) {
                problems.add(new GrantModel.Problem(IDENTITY_PROVIDER_UNAVAILABLE, what
                        + ": spec.authentication.oidc entries need a name and an issuer"));
                continue;
            }
            if (!names.add(spec.getName())) {
                problems.add(new GrantModel.Problem(IDENTITY_PROVIDER_UNAVAILABLE, what
                        + " is listed twice; only the first entry is used"));
                continue;
            }
            provider(in, spec, what, problems).ifPresent(providers::add);
        }
        return Optional.of(new RealmConfig.OidcProviders(providers));
    }

    @Override
    public Authenticator authenticator(KubernetesClient client) {
        return new OidcAuthenticator();
    }

    private static List<OidcProviderSpec> specs(RegistryAuth auth) {
        AuthenticationSpec authentication = auth.getSpec() == null ? null : auth.getSpec().getAuthentication();
        return authentication == null ? List.of() : authentication.getOidc();
    }

    private static Optional<OidcProvider> provider(Inputs in, OidcProviderSpec spec, String what,
                                                   List<GrantModel.Problem> problems) {
        Duration recheck;
        Duration sessionMaxAge;
        try {
            recheck = spec.recheckIntervalDuration();
            sessionMaxAge = spec.sessionMaxAgeDuration();
        } catch (IllegalArgumentException e) {
            problems.add(new GrantModel.Problem(IDENTITY_PROVIDER_UNAVAILABLE, what + ": " + e.getMessage()));
            return Optional.empty();
        }
        OidcProvider.Introspection introspection = null;
        OidcIntrospectionSpec introspectionSpec = spec.getIntrospection();
        if (introspectionSpec != null) {
            if (introspectionSpec.getClientId() == null || introspectionSpec.getClientId().isBlank()) {
                problems.add(new GrantModel.Problem(IDENTITY_PROVIDER_UNAVAILABLE, what
                        + ": introspection.clientId is required"));
                return Optional.empty();
            }
            Optional<String> secret = SecretValues.read(in.secrets(), introspectionSpec.getClientSecretRef(),
                    what + " introspection.clientSecretRef", IDENTITY_PROVIDER_UNAVAILABLE, problems);
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            introspection = new OidcProvider.Introspection(introspectionSpec.getClientId(), secret.get().strip());
        }
        String caBundle = null;
        if (spec.getCaBundleRef() != null) {
            Optional<String> pem = SecretValues.read(in.secrets(), spec.getCaBundleRef(), what + " caBundleRef",
                    IDENTITY_PROVIDER_UNAVAILABLE, problems);
            if (pem.isEmpty()) {
                return Optional.empty();
            }
            caBundle = pem.get();
            Optional<String> unusable = certificateProblem(caBundle);
            if (unusable.isPresent()) {
                problems.add(new GrantModel.Problem(IDENTITY_PROVIDER_UNAVAILABLE, what + " caBundleRef Secret "
                        + spec.getCaBundleRef().getName() + " key " + spec.getCaBundleRef().getKey() + ": "
                        + unusable.get()));
                return Optional.empty();
            }
        }
        String usernameClaim = spec.getUsernameClaim() == null || spec.getUsernameClaim().isBlank()
                ? OidcProviderSpec.DEFAULT_USERNAME_CLAIM : spec.getUsernameClaim();
        String groupsClaim = spec.getGroupsClaim() == null || spec.getGroupsClaim().isBlank() ? null
                : spec.getGroupsClaim();
        return Optional.of(new OidcProvider(spec.getName(), spec.getIssuer(),
                spec.getAudiences() == null ? List.of() : spec.getAudiences(), usernameClaim, groupsClaim,
                spec.getUsernamePrefix(), spec.getFixedUsernames() == null ? Set.of()
                        : new HashSet<>(spec.getFixedUsernames()), introspection, caBundle, recheck, sessionMaxAge,
                spec.getCli() == null || spec.getCli().getClientId() == null ? null
                        : new CliClient(spec.getCli().getClientId(), spec.getCli().getScopes())));
    }

    /** Why a CA bundle cannot be trusted, if it cannot: reported now rather than at the first login. */
    private static Optional<String> certificateProblem(String pem) {
        try {
            var certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return certificates.isEmpty() ? Optional.of("holds no PEM certificate") : Optional.empty();
        } catch (CertificateException e) {
            return Optional.of("is not valid PEM certificates");
        }
    }
}
