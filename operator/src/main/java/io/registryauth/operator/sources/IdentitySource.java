package io.registryauth.operator.sources;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.realm.auth.Authenticator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One way users authenticate, as the operator runs it: everything about the source in one place. It reads
 * its part of a RegistryAuth's spec and the Secrets it names, turns them into the value the realm keeps for
 * it ({@link io.registryauth.realm.RealmConfig#source}), reports what keeps it from serving, and makes the
 * token server's {@link Authenticator} for it (whose cost and metrics it owns). Registered once, in
 * {@link Sources#ALL}; the feed, the reconciler and the token server all go through that list.
 */
public interface IdentitySource {
    /**
     * What a source reads for one RegistryAuth: the RegistryAuth, the Secrets of its namespace by name
     * (only those {@link #secretNames} asked for; a name absent here is a missing Secret), the grants that
     * are enforced (their problems already reported), and the generated pull Secrets by "namespace/name".
     */
    record Inputs(RegistryAuth auth, Map<String, Secret> secrets, List<RepositoryAccess> enforcedGrants,
                  Map<String, Secret> robotSecrets) {
    }

    /** Names of the Secrets in the RegistryAuth's namespace this source reads; none by default. */
    default Set<String> secretNames(RegistryAuth auth) {
        return Set.of();
    }

    /**
     * The value this source adds to the realm (any type of the source's own; the realm files it by type), or
     * empty when the RegistryAuth does not use the source or it cannot serve; each reason it cannot serve
     * (or serves only in part) goes into {@code problems}, worded for a person and free of secrets.
     */
    Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems);

    /**
     * What keeps the servers this source calls from serving right now (a directory that cannot be reached
     * or refuses the realm's bind), checked against {@code realmValue}'s result; none by default. Called by
     * the RegistryAuth reconciler off the token path; must be bounded by the source's own timeouts.
     */
    default List<GrantModel.Problem> probe(Object realmValue) {
        return List.of();
    }

    /** The token server's authenticator for this source: one per process, asked in registration order. */
    Authenticator authenticator(KubernetesClient client);
}
