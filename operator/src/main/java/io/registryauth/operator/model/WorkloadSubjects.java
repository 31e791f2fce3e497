package io.registryauth.operator.model;

import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccessSpec;
import io.registryauth.operator.sources.WorkloadSource;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.WorkloadMatch;
import java.util.List;
import java.util.Set;

/**
 * The Workload subjects of a grant: their conditions as the policy reads them, and what keeps them from being
 * enforced. The conditions' rules are the realm's own ({@link WorkloadMatch#problems}), so the status says
 * exactly why the policy would ignore a subject; the CRD schema checks the same rules first where CEL can.
 */
final class WorkloadSubjects {
    static final String INVALID_WORKLOAD_SUBJECT = GrantModel.INVALID_SUBJECT;

    private WorkloadSubjects() {
    }

    static Subject subject(GrantSubject subject) {
        return Subject.workload(match(subject));
    }

    private static WorkloadMatch match(GrantSubject subject) {
        return new WorkloadMatch(subject.getProvider(), subject.getClaims(), subject.getClaimPatterns(),
                subject.getCondition());
    }

    /**
     * Problems of the Workload subjects: conditions the realm cannot use, a provider the RegistryAuth does not
     * configure, and {@code ${claims.<name>}} patterns in a grant with subjects that have no claims (they
     * would match nothing for them).
     */
    static void problems(RepositoryAccessSpec spec, RegistryAuth target, List<GrantModel.Problem> problems) {
        Set<String> providers = target == null ? null : WorkloadSource.providerNames(target);
        boolean onlyWorkloads = !spec.getSubjects().isEmpty() && spec.getCredentials() == null;
        for (int i = 0; i < spec.getSubjects().size(); i++) {
            GrantSubject subject = spec.getSubjects().get(i);
            if (subject == null || subject.getKind() != GrantSubject.Kind.WORKLOAD) {
                onlyWorkloads = false;
                continue;
            }
            String where = "spec.subjects[" + i + "]";
            for (String problem : match(subject).problems()) {
                problems.add(new GrantModel.Problem(INVALID_WORKLOAD_SUBJECT, where + ": " + problem));
            }
            if (providers != null && subject.getProvider() != null && !subject.getProvider().isBlank()
                    && !providers.contains(subject.getProvider())) {
                problems.add(new GrantModel.Problem(INVALID_WORKLOAD_SUBJECT, where + ": workload identity provider "
                        + subject.getProvider() + " is not in spec.authentication.workloadIdentity of RegistryAuth "
                        + target.getMetadata().getNamespace() + "/" + target.getMetadata().getName()));
            }
        }
        if (!onlyWorkloads) {
            for (String pattern : spec.getRepositories()) {
                if (pattern != null && pattern.contains("${claims.")) {
                    problems.add(new GrantModel.Problem(GrantModel.INVALID_PATTERN, "repository pattern \"" + pattern
                            + "\" uses ${claims.<name>}, which only Workload subjects fill; give it a grant whose"
                            + " subjects are all Workload"));
                }
            }
        }
    }
}
