package io.registryauth.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.AuthenticationSpec;
import io.registryauth.api.v1alpha1.OidcIntrospectionSpec;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryAuthSpec;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.auth.oidc.CliClient;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.KeyRing;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Translates one RegistryAuth and what it references into the realm the token server serves. Pure: the
 * caller hands over the objects it has (from informer caches or a test), nulls for missing ones.
 *
 * <p>A realm is served only once its signing Secret holds keys; until then, or when the spec itself cannot
 * be read (bad durations, no service), it is absent and the problems say why. Everything else degrades
 * one piece at a time: a missing or unreadable htpasswd/groups Secret leaves the realm without static users,
 * an identity provider whose Secrets cannot be read is left out while the other providers serve, and a
 * grant with problems is left out of the policy while the others are enforced.
 */
public final class RealmModel {
    public static final String SIGNING_KEY_MISSING = "SigningKeyMissing";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String USERS_UNAVAILABLE = "UsersUnavailable";
    public static final String IDENTITY_PROVIDER_UNAVAILABLE = "IdentityProviderUnavailable";

    /** The realm when it can be served, and every problem met on the way. */
    public record Outcome(Optional<RealmConfig> realm, List<GrantModel.Problem> problems) {
        public Outcome {
            problems = List.copyOf(problems);
        }
    }

    /**
     * What a RegistryAuth references, as the caller found it; null for anything missing. {@code secrets}
     * holds, by name, the Secrets the identity providers reference (see {@link #oidcSecretNames}); a name
     * absent from it is a missing Secret. {@code robotSecrets} holds the generated pull Secrets by
     * "namespace/name" (they live in the grants' namespaces).
     */
    public record Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                         List<RepositoryAccess> grants, Map<String, Secret> secrets,
                         Map<String, Secret> robotSecrets) {
        public Inputs {
            Objects.requireNonNull(auth, "auth");
            grants = List.copyOf(grants);
            secrets = Map.copyOf(secrets);
            robotSecrets = Map.copyOf(robotSecrets);
        }

        /** Inputs without generated pull Secrets. */
        public Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                      List<RepositoryAccess> grants, Map<String, Secret> secrets) {
            this(auth, signing, htpasswd, groups, grants, secrets, Map.of());
        }

        /** Inputs for a RegistryAuth whose identity providers reference no Secrets (or none found). */
        public Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                      List<RepositoryAccess> grants) {
            this(auth, signing, htpasswd, groups, grants, Map.of());
        }
    }

    private RealmModel() {
    }

    /** Whether {@code grant} names {@code auth} (its registry namespace defaulting to its own). */
    public static boolean targets(RepositoryAccess grant, RegistryAuth auth) {
        var spec = grant.getSpec();
        return spec != null && spec.getRegistry() != null
                && Objects.equals(spec.getRegistry().getName(), auth.getMetadata().getName())
                && Objects.equals(spec.getRegistry().namespaceOr(grant.getMetadata().getNamespace()),
                        auth.getMetadata().getNamespace());
    }

    /** Names of the Secrets {@code auth}'s identity providers reference (client secrets, CA bundles). */
    public static Set<String> oidcSecretNames(RegistryAuth auth) {
        Set<String> names = new LinkedHashSet<>();
        if (auth.getSpec() == null || auth.getSpec().getAuthentication() == null) {
            return names;
        }
        for (OidcProviderSpec provider : auth.getSpec().getAuthentication().getOidc()) {
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

    public static Outcome realm(Inputs in, OperatorSettings settings) {
        RegistryAuth auth = in.auth();
        RegistryAuthSpec spec = auth.getSpec();
        List<GrantModel.Problem> problems = new ArrayList<>();
        if (spec == null || spec.getService() == null || spec.getService().isBlank()) {
            problems.add(new GrantModel.Problem(INVALID_SPEC, "spec.service is required"));
            return new Outcome(Optional.empty(), problems);
        }
        Duration ttl;
        Duration refreshTtl;
        try {
            ttl = spec.getToken().ttlDuration();
            refreshTtl = spec.getToken().refreshTtlDuration();
        } catch (IllegalArgumentException e) {
            problems.add(new GrantModel.Problem(INVALID_SPEC, "spec.token: " + e.getMessage()));
            return new Outcome(Optional.empty(), problems);
        }
        if (ttl.isZero()) {
            problems.add(new GrantModel.Problem(INVALID_SPEC, "spec.token.ttl must be longer than 0"));
            return new Outcome(Optional.empty(), problems);
        }

        Optional<SigningKeySecret.Contents> stored;
        try {
            stored = in.signing() == null ? Optional.empty() : SigningKeySecret.read(in.signing());
        } catch (IllegalArgumentException e) {
            // The reader's messages name the data key and the problem, never key material.
            problems.add(new GrantModel.Problem(SIGNING_KEY_MISSING, "Secret " + ResourceNames.signingSecret(auth)
                    + " cannot be read: " + e.getMessage()));
            return new Outcome(Optional.empty(), problems);
        }
        Optional<KeyRing> keys = stored.flatMap(SigningKeySecret.Contents::keyRing);
        byte[] refreshKey = stored.map(SigningKeySecret.Contents::refreshKey).orElse(null);
        if (keys.isEmpty() || refreshKey == null) {
            problems.add(new GrantModel.Problem(SIGNING_KEY_MISSING, "Secret " + ResourceNames.signingSecret(auth)
                    + " holds no active signing key yet"));
            return new Outcome(Optional.empty(), problems);
        }
        if (refreshKey.length < SigningKeySecret.REFRESH_KEY_BYTES) {
            problems.add(new GrantModel.Problem(SIGNING_KEY_MISSING, "Secret " + ResourceNames.signingSecret(auth)
                    + ": " + SigningKeySecret.REFRESH_KEY + " is shorter than " + SigningKeySecret.REFRESH_KEY_BYTES
                    + " bytes"));
            return new Outcome(Optional.empty(), problems);
        }

        Map<String, StaticUser> users = users(in, spec.getAuthentication(), problems);
        List<Grant> grants = new ArrayList<>();
        Map<String, RobotCredentials> robots = new HashMap<>();
        for (RepositoryAccess grant : in.grants()) {
            if (grant.getMetadata().getDeletionTimestamp() != null) {
                // Going: its finalizer is cleaning up, and it grants nothing meanwhile.
                continue;
            }
            List<GrantModel.Problem> grantProblems = GrantModel.problems(grant, auth);
            if (grantProblems.isEmpty()) {
                grants.add(GrantModel.toGrant(grant));
                if (grant.getSpec().getCredentials() != null) {
                    // No robot until the reconciler has written the Secret with a hash beside the password.
                    RobotSecret.credentials(grant, in.robotSecrets().get(ResourceNames.key(
                            grant.getMetadata().getNamespace(), grant.getSpec().getCredentials().getSecretName())))
                            .ifPresent(robot -> robots.put(robot.name(), robot));
                }
            } else {
                String id = ResourceNames.key(grant);
                grantProblems.forEach(p -> problems.add(new GrantModel.Problem(p.reason(),
                        "RepositoryAccess " + id + ": " + p.message())));
            }
        }
        String realmUrl = spec.getRealm() == null || spec.getRealm().isBlank() ? settings.publicRealmUrl()
                : spec.getRealm();
        RealmConfig config = new RealmConfig(ResourceNames.key(auth), spec.getService(), ResourceNames.issuer(auth),
                realmUrl, ttl, refreshTtl, keys.get(), refreshKey, spec.getAuthentication().isAnonymous(),
                users, Policy.compile(grants), providers(in, spec.getAuthentication(), problems), robots);
        return new Outcome(Optional.of(config), problems);
    }

    private static Map<String, StaticUser> users(Inputs in, AuthenticationSpec authentication,
                                                 List<GrantModel.Problem> problems) {
        if (authentication.getHtpasswd() == null) {
            return Map.of();
        }
        Optional<String> htpasswd = content(in.htpasswd(), authentication.getHtpasswd().getSecretRef(), "htpasswd",
                USERS_UNAVAILABLE, problems);
        if (htpasswd.isEmpty()) {
            return Map.of();
        }
        String groups = null;
        if (authentication.getGroups() != null) {
            Optional<String> content = content(in.groups(), authentication.getGroups().getSecretRef(), "groups",
                    USERS_UNAVAILABLE, problems);
            if (content.isEmpty()) {
                return Map.of();
            }
            groups = content.get();
        }
        try {
            return Htpasswd.parse(htpasswd.get(), groups);
        } catch (IllegalArgumentException e) {
            // Htpasswd's messages name the line and the user, never a hash.
            problems.add(new GrantModel.Problem(USERS_UNAVAILABLE, e.getMessage()));
            return Map.of();
        }
    }

    /**
     * The identity providers that can serve. One whose spec or Secrets cannot be read is left out with a
     * problem: accepting its tokens without its client secret or its CA would fail every login anyway.
     */
    private static List<OidcProvider> providers(Inputs in, AuthenticationSpec authentication,
                                                List<GrantModel.Problem> problems) {
        List<OidcProvider> providers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (OidcProviderSpec spec : authentication.getOidc()) {
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
        return providers;
    }

    private static Optional<OidcProvider> provider(Inputs in, OidcProviderSpec spec, String what,
                                                   List<GrantModel.Problem> problems) {
        Duration recheck;
        try {
            recheck = spec.recheckIntervalDuration();
        } catch (IllegalArgumentException e) {
            problems.add(new GrantModel.Problem(IDENTITY_PROVIDER_UNAVAILABLE, what + ": recheckInterval: "
                    + e.getMessage()));
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
            Optional<String> secret = referenced(in, introspectionSpec.getClientSecretRef(),
                    what + " introspection.clientSecretRef", problems);
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            introspection = new OidcProvider.Introspection(introspectionSpec.getClientId(), secret.get().strip());
        }
        String caBundle = null;
        if (spec.getCaBundleRef() != null) {
            Optional<String> pem = referenced(in, spec.getCaBundleRef(), what + " caBundleRef", problems);
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
                        : new HashSet<>(spec.getFixedUsernames()), introspection, caBundle, recheck,
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

    private static Optional<String> referenced(Inputs in, SecretKeyReference ref, String what,
                                               List<GrantModel.Problem> problems) {
        Secret secret = ref == null || ref.getName() == null ? null : in.secrets().get(ref.getName());
        return content(secret, ref, what, IDENTITY_PROVIDER_UNAVAILABLE, problems);
    }

    /** The referenced key of a Secret, from data (base64) or, as a fallback, stringData. */
    private static Optional<String> content(Secret secret, SecretKeyReference ref, String what, String reason,
                                            List<GrantModel.Problem> problems) {
        if (ref == null || ref.getName() == null || ref.getKey() == null) {
            problems.add(new GrantModel.Problem(reason, what + ": the Secret reference needs a name and a key"));
            return Optional.empty();
        }
        if (secret == null) {
            problems.add(new GrantModel.Problem(reason, what + " Secret " + ref.getName()
                    + " does not exist"));
            return Optional.empty();
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded != null) {
            try {
                return Optional.of(new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                problems.add(new GrantModel.Problem(reason, what + " Secret " + ref.getName() + " key "
                        + ref.getKey() + " is not valid base64"));
                return Optional.empty();
            }
        }
        String plain = secret.getStringData() == null ? null : secret.getStringData().get(ref.getKey());
        if (plain != null) {
            return Optional.of(plain);
        }
        problems.add(new GrantModel.Problem(reason, what + " Secret " + ref.getName() + " has no key "
                + ref.getKey()));
        return Optional.empty();
    }
}
