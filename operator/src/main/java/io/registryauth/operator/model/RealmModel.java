package io.registryauth.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.AuthenticationSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryAuthSpec;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.api.v1alpha1.SecretSource;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.auth.StaticUser;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.sign.KeyRing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Translates one RegistryAuth and what it references into the realm the token server serves. Pure: the
 * caller hands over the objects it has (from informer caches or a test), nulls for missing ones.
 *
 * <p>A realm is served only once its signing Secret holds keys; until then, or when the spec itself cannot
 * be read (bad durations, no service), it is absent and the problems say why. Everything else degrades
 * one piece at a time: a missing or unreadable htpasswd/groups Secret leaves the realm without static users,
 * and a grant with problems is left out of the policy while the others are enforced.
 */
public final class RealmModel {
    public static final String SIGNING_KEY_MISSING = "SigningKeyMissing";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String USERS_UNAVAILABLE = "UsersUnavailable";

    /** The realm when it can be served, and every problem met on the way. */
    public record Outcome(Optional<RealmConfig> realm, List<GrantModel.Problem> problems) {
        public Outcome {
            problems = List.copyOf(problems);
        }
    }

    /** What a RegistryAuth references, as the caller found it; null for anything missing. */
    public record Inputs(RegistryAuth auth, Secret signing, Secret htpasswd, Secret groups,
                         List<RepositoryAccess> grants) {
        public Inputs {
            Objects.requireNonNull(auth, "auth");
            grants = List.copyOf(grants);
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
        for (RepositoryAccess grant : in.grants()) {
            List<GrantModel.Problem> grantProblems = GrantModel.problems(grant, auth);
            if (grantProblems.isEmpty()) {
                grants.add(GrantModel.toGrant(grant));
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
                users, Policy.compile(grants));
        return new Outcome(Optional.of(config), problems);
    }

    private static Map<String, StaticUser> users(Inputs in, AuthenticationSpec authentication,
                                                 List<GrantModel.Problem> problems) {
        if (authentication.getHtpasswd() == null) {
            return Map.of();
        }
        Optional<String> htpasswd = content(in.htpasswd(), authentication.getHtpasswd(), "htpasswd", problems);
        if (htpasswd.isEmpty()) {
            return Map.of();
        }
        String groups = null;
        if (authentication.getGroups() != null) {
            Optional<String> content = content(in.groups(), authentication.getGroups(), "groups", problems);
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

    /** The referenced key of a Secret, from data (base64) or, as a fallback, stringData. */
    private static Optional<String> content(Secret secret, SecretSource source, String what,
                                            List<GrantModel.Problem> problems) {
        SecretKeyReference ref = source.getSecretRef();
        if (ref == null || ref.getName() == null || ref.getKey() == null) {
            problems.add(new GrantModel.Problem(USERS_UNAVAILABLE, "spec.authentication." + what
                    + ".secretRef needs a name and a key"));
            return Optional.empty();
        }
        if (secret == null) {
            problems.add(new GrantModel.Problem(USERS_UNAVAILABLE, what + " Secret " + ref.getName()
                    + " does not exist"));
            return Optional.empty();
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded != null) {
            try {
                return Optional.of(new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                problems.add(new GrantModel.Problem(USERS_UNAVAILABLE, what + " Secret " + ref.getName() + " key "
                        + ref.getKey() + " is not valid base64"));
                return Optional.empty();
            }
        }
        String plain = secret.getStringData() == null ? null : secret.getStringData().get(ref.getKey());
        if (plain != null) {
            return Optional.of(plain);
        }
        problems.add(new GrantModel.Problem(USERS_UNAVAILABLE, what + " Secret " + ref.getName() + " has no key "
                + ref.getKey()));
        return Optional.empty();
    }
}
