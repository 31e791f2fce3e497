package io.registryauth.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryAuthSpec;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.operator.sources.IdentitySource;
import io.registryauth.operator.sources.Sources;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.KeyRing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * one piece at a time: each identity source ({@link Sources#ALL}) adds what it can serve and reports the
 * rest (a missing htpasswd Secret leaves the realm without static users, a provider whose Secrets cannot be
 * read is left out while the others serve), and a grant with problems is left out of the policy while the
 * others are enforced.
 */
public final class RealmModel {
    public static final String SIGNING_KEY_MISSING = "SigningKeyMissing";
    public static final String INVALID_SPEC = "InvalidSpec";

    /** The realm when it can be served, and every problem met on the way. */
    public record Outcome(Optional<RealmConfig> realm, List<GrantModel.Problem> problems) {
        public Outcome {
            problems = List.copyOf(problems);
        }
    }

    /**
     * What a RegistryAuth references, as the caller found it; null for anything missing. {@code secrets}
     * holds, by name, the Secrets of the RegistryAuth's namespace its sources read (see {@link #secretNames});
     * a name absent from it is a missing Secret. {@code robotSecrets} holds the generated pull Secrets by
     * "namespace/name" (they live in the grants' namespaces).
     */
    public record Inputs(RegistryAuth auth, Secret signing, List<RepositoryAccess> grants, Map<String, Secret> secrets,
                         Map<String, Secret> robotSecrets) {
        public Inputs {
            Objects.requireNonNull(auth, "auth");
            grants = List.copyOf(grants);
            secrets = Map.copyOf(secrets);
            robotSecrets = Map.copyOf(robotSecrets);
        }

        /** Inputs with the htpasswd and groups Secrets named separately (filed under their own names). */
        public Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                      List<RepositoryAccess> grants, Map<String, Secret> secrets, Map<String, Secret> robotSecrets) {
            this(auth, signing, grants, withSecrets(secrets, htpasswd, groups), robotSecrets);
        }

        /** Inputs without generated pull Secrets. */
        public Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                      List<RepositoryAccess> grants, Map<String, Secret> secrets) {
            this(auth, signing, htpasswd, groups, grants, secrets, Map.of());
        }

        /** Inputs whose only Secrets besides the signing one are htpasswd and groups. */
        public Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                      List<RepositoryAccess> grants) {
            this(auth, signing, htpasswd, groups, grants, Map.of());
        }

        private static Map<String, Secret> withSecrets(Map<String, Secret> secrets, Secret... more) {
            Map<String, Secret> all = new HashMap<>(secrets);
            for (Secret secret : more) {
                if (secret != null && secret.getMetadata() != null && secret.getMetadata().getName() != null) {
                    all.put(secret.getMetadata().getName(), secret);
                }
            }
            return all;
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

    /** Names of the Secrets in {@code auth}'s namespace that its identity sources read. */
    public static Set<String> secretNames(RegistryAuth auth) {
        Set<String> names = new LinkedHashSet<>();
        Sources.ALL.forEach(source -> names.addAll(source.secretNames(auth)));
        return names;
    }

    /**
     * What keeps {@code auth}'s identity sources from serving, judged exactly as the realm feed judges it
     * (for the RegistryAuth's status); with {@code probe}, also what their servers answer now.
     */
    public static List<GrantModel.Problem> sourceProblems(RegistryAuth auth, Map<String, Secret> secrets,
                                                          boolean probe) {
        List<GrantModel.Problem> problems = new ArrayList<>();
        IdentitySource.Inputs in = new IdentitySource.Inputs(auth, secrets, List.of(), Map.of());
        for (IdentitySource source : Sources.ALL) {
            Optional<Object> value = source.realmValue(in, problems);
            if (probe && value.isPresent()) {
                problems.addAll(source.probe(value.get()));
            }
        }
        return problems;
    }

    /** {@link #sourceProblems(RegistryAuth, Map, boolean)} without asking any server. */
    public static List<GrantModel.Problem> sourceProblems(RegistryAuth auth, Map<String, Secret> secrets) {
        return sourceProblems(auth, secrets, false);
    }

    private static Map<Class<?>, Object> sourceValues(IdentitySource.Inputs in, List<GrantModel.Problem> problems) {
        Map<Class<?>, Object> values = new HashMap<>();
        for (IdentitySource source : Sources.ALL) {
            source.realmValue(in, problems).ifPresent(value -> values.put(value.getClass(), value));
        }
        return values;
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

        List<Grant> grants = new ArrayList<>();
        List<RepositoryAccess> enforced = new ArrayList<>();
        for (RepositoryAccess grant : in.grants()) {
            if (grant.getMetadata().getDeletionTimestamp() != null) {
                // Going: its finalizer is cleaning up, and it grants nothing meanwhile.
                continue;
            }
            List<GrantModel.Problem> grantProblems = GrantModel.problems(grant, auth);
            if (grantProblems.isEmpty()) {
                grants.add(GrantModel.toGrant(grant));
                enforced.add(grant);
            } else {
                String id = ResourceNames.key(grant);
                grantProblems.forEach(p -> problems.add(new GrantModel.Problem(p.reason(),
                        "RepositoryAccess " + id + ": " + p.message())));
            }
        }
        Map<Class<?>, Object> sources = sourceValues(
                new IdentitySource.Inputs(auth, in.secrets(), enforced, in.robotSecrets()), problems);
        String realmUrl = spec.getRealm() == null || spec.getRealm().isBlank() ? settings.publicRealmUrl()
                : spec.getRealm();
        RealmConfig config = new RealmConfig(ResourceNames.key(auth), spec.getService(), ResourceNames.issuer(auth),
                realmUrl, ttl, refreshTtl, keys.get(), stored.get().refreshKeys(), spec.getAuthentication().isAnonymous(),
                Policy.compile(grants, settings.clock().instant()), sources);
        return new Outcome(Optional.of(config), problems);
    }
}
