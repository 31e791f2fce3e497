package io.registryauth.cli.review;

import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.cli.CliException;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.realm.policy.Explainer;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Each RegistryAuth's grants as its realm would enforce them: the operator's own {@link GrantModel} decides
 * which grants are enforced (tenancy, invalid subjects or patterns, validity) exactly as for the realm feed,
 * and the realm's {@link Policy} is compiled from those; the others are kept, with their reasons, for the
 * explanations.
 */
public record Realms(List<Realm> all) {

    /** One registry: its key "namespace/name", the compiled policy, and the grants it does not enforce. */
    public record Realm(String key, RegistryAuth auth, Policy policy, List<Explainer.Unenforced> unenforced) {
    }

    public static Realms of(Inventory inventory, Instant now) {
        List<Realm> realms = new ArrayList<>();
        List<RegistryAuth> auths = new ArrayList<>(inventory.registryAuths());
        auths.sort(Comparator.comparing(Realms::key));
        for (RegistryAuth auth : auths) {
            List<Grant> enforced = new ArrayList<>();
            List<Explainer.Unenforced> unenforced = new ArrayList<>();
            for (RepositoryAccess grant : inventory.grants()) {
                if (!RealmModel.targets(grant, auth) || grant.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                List<GrantModel.Problem> problems = GrantModel.problems(grant, auth);
                if (problems.isEmpty()) {
                    enforced.add(GrantModel.toGrant(grant));
                } else {
                    unenforced.add(new Explainer.Unenforced(asWritten(grant), problems.get(0).reason(),
                            problems.stream().map(GrantModel.Problem::message).collect(Collectors.joining("; "))));
                }
            }
            realms.add(new Realm(key(auth), auth, Policy.compile(enforced, now), unenforced));
        }
        return new Realms(realms);
    }

    /** The grant as it would be enforced, for explaining one that is not; an unreadable validity left out. */
    static Grant asWritten(RepositoryAccess grant) {
        try {
            return GrantModel.toGrant(grant);
        } catch (IllegalArgumentException e) {
            String from = grant.getSpec().getValidFrom();
            String until = grant.getSpec().getValidUntil();
            grant.getSpec().setValidFrom(null);
            grant.getSpec().setValidUntil(null);
            try {
                return GrantModel.toGrant(grant);
            } finally {
                grant.getSpec().setValidFrom(from);
                grant.getSpec().setValidUntil(until);
            }
        }
    }

    /** The realm named by {@code --registry NS/NAME}, or the only one when there is one. */
    public Realm select(String registry) {
        if (registry == null) {
            if (all.size() == 1) {
                return all.get(0);
            }
            throw new CliException(all.isEmpty() ? "no RegistryAuth found"
                    : "several RegistryAuths (" + all.stream().map(Realm::key).collect(Collectors.joining(", "))
                            + "); name one with --registry NAMESPACE/NAME");
        }
        return all.stream().filter(r -> r.key().equals(registry)).findFirst()
                .orElseThrow(() -> new CliException("no RegistryAuth " + registry + " (found: "
                        + all.stream().map(Realm::key).collect(Collectors.joining(", ")) + ")"));
    }

    static String key(RegistryAuth auth) {
        return auth.getMetadata().getNamespace() + "/" + auth.getMetadata().getName();
    }
}
