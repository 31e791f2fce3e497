package io.registryauth.operator.model;

import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAccessSpec;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.TenancySpec;
import io.registryauth.realm.auth.BasicAuth;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a RepositoryAccess means for its realm, and why it may not be enforced. Pure: the same answers feed
 * the grant's status (reconciler) and the realm snapshot (feed), so the two never disagree.
 *
 * <p>Tenancy: a grant in another namespace than its RegistryAuth is enforced only when every repository
 * pattern is <em>covered</em> by the tenancy pattern with {@code ${namespace}} replaced by the grant's
 * namespace, meaning every repository name the grant's pattern matches is also matched by the tenancy
 * pattern ({@link PatternCoverage}, exact language inclusion; a grant's {@code ${user}} stands for any
 * single path segment). Such a grant may not give catalog access, which lists every repository of the
 * registry. Grants in the RegistryAuth's own namespace are trusted like the RegistryAuth itself.
 */
public final class GrantModel {
    public static final String REGISTRY_AUTH_NOT_FOUND = "RegistryAuthNotFound";
    public static final String INVALID_PATTERN = "InvalidPattern";
    public static final String OUTSIDE_TENANCY = "OutsideTenancy";
    public static final String INVALID_SUBJECT = "InvalidSubject";
    public static final String NOTHING_GRANTED = "NothingGranted";
    public static final String INVALID_CREDENTIALS = "InvalidCredentials";
    public static final String INVALID_VALIDITY = "InvalidValidity";

    /** One reason a grant is not enforced, with a message a person can act on. */
    public record Problem(String reason, String message) {
    }

    private GrantModel() {
    }

    /**
     * Everything that keeps {@code grant} from being enforced; empty when it is enforced as written.
     *
     * @param target the RegistryAuth the grant names, or null when it does not exist
     */
    public static List<Problem> problems(RepositoryAccess grant, RegistryAuth target) {
        List<Problem> problems = new ArrayList<>();
        RepositoryAccessSpec spec = grant.getSpec();
        String namespace = grant.getMetadata().getNamespace();
        if (spec == null || spec.getRegistry() == null || blank(spec.getRegistry().getName())) {
            problems.add(new Problem(REGISTRY_AUTH_NOT_FOUND, "spec.registry.name is required"));
            return problems;
        }
        if (target == null) {
            problems.add(new Problem(REGISTRY_AUTH_NOT_FOUND, "RegistryAuth "
                    + spec.getRegistry().namespaceOr(namespace) + "/" + spec.getRegistry().getName()
                    + " does not exist"));
        }
        subjectProblems(spec, problems);
        WorkloadSubjects.problems(spec, target, problems);
        credentialsProblems(grant, spec.getCredentials(), problems);
        validityProblems(spec, problems);
        List<String> validPatterns = new ArrayList<>();
        for (String pattern : spec.getRepositories()) {
            Optional<String> problem = Policy.patternProblem(pattern);
            if (problem.isPresent()) {
                problems.add(new Problem(INVALID_PATTERN, problem.get()));
            } else {
                validPatterns.add(pattern);
            }
        }
        if (spec.getRepositories().isEmpty() && !spec.isCatalog()) {
            problems.add(new Problem(NOTHING_GRANTED, "spec.repositories is empty and spec.catalog is false"));
        }
        if (!spec.getRepositories().isEmpty() && actions(spec).isEmpty()) {
            problems.add(new Problem(NOTHING_GRANTED, "spec.actions is empty; use pull, push, delete or *"));
        }
        if (target != null && !Objects.equals(namespace, target.getMetadata().getNamespace())) {
            tenancyProblems(spec, validPatterns, namespace, target, problems);
        }
        return List.copyOf(problems);
    }

    /**
     * The grant as the realm's policy sees it; only meaningful when {@link #problems} is empty. A grant with
     * credentials also names its robot, which no other grant can name.
     */
    public static Grant toGrant(RepositoryAccess grant) {
        RepositoryAccessSpec spec = grant.getSpec();
        String namespace = grant.getMetadata().getNamespace();
        List<Subject> subjects = new ArrayList<>(spec.getSubjects().stream().map(s -> subject(s, namespace)).toList());
        if (spec.getCredentials() != null) {
            subjects.add(new Subject(SubjectKind.ROBOT, RobotSecret.robotName(grant)));
        }
        return new Grant(namespace + "/" + grant.getMetadata().getName(), subjects, spec.getRepositories(),
                actions(spec), spec.isCatalog()).validBetween(spec.validFromInstant(), spec.validUntilInstant());
    }

    /**
     * Where a grant with a validity period is at {@code now} (empty for a grant without one), judged by the
     * same {@link Grant#validity} the realm uses; only meaningful when {@link #problems} is empty.
     */
    public static Optional<Grant.Validity> validity(RepositoryAccess grant, Instant now) {
        RepositoryAccessSpec spec = grant.getSpec();
        if (spec == null || (spec.getValidFrom() == null && spec.getValidUntil() == null)) {
            return Optional.empty();
        }
        return Optional.of(new Grant(null, List.of(), List.of(), Set.of(), false)
                .validBetween(spec.validFromInstant(), spec.validUntilInstant()).validity(now));
    }

    /** The next instant after {@code now} at which the grant starts or stops counting, if any. */
    public static Optional<Instant> nextBoundary(RepositoryAccess grant, Instant now) {
        RepositoryAccessSpec spec = grant.getSpec();
        if (spec == null) {
            return Optional.empty();
        }
        Instant next = null;
        for (Instant boundary : new Instant[] {spec.validFromInstant(), spec.validUntilInstant()}) {
            if (boundary != null && boundary.isAfter(now) && (next == null || boundary.isBefore(next))) {
                next = boundary;
            }
        }
        return Optional.ofNullable(next);
    }

    private static void validityProblems(RepositoryAccessSpec spec, List<Problem> problems) {
        Instant from = null;
        Instant until = null;
        try {
            from = spec.validFromInstant();
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(INVALID_VALIDITY, "spec.validFrom: " + e.getMessage()));
        }
        try {
            until = spec.validUntilInstant();
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(INVALID_VALIDITY, "spec.validUntil: " + e.getMessage()));
        }
        if (from != null && until != null && !until.isAfter(from)) {
            problems.add(new Problem(INVALID_VALIDITY, "spec.validUntil (" + spec.getValidUntil()
                    + ") must be after spec.validFrom (" + spec.getValidFrom() + ")"));
        }
    }

    /**
     * A subject as the policy names it; a ServiceAccount without namespace lives in the grant's namespace, and
     * a User or Group naming a source matches only that source's identities.
     */
    static Subject subject(GrantSubject subject, String grantNamespace) {
        return switch (subject.getKind()) {
            case USER -> Subject.user(subject.getName()).from(subject.getSource());
            case GROUP -> Subject.group(subject.getName()).from(subject.getSource());
            case SERVICE_ACCOUNT -> Subject.serviceAccount(
                    blank(subject.getNamespace()) ? grantNamespace : subject.getNamespace(), subject.getName());
            case ANONYMOUS -> Subject.anonymous();
            case AUTHENTICATED -> Subject.authenticated();
            case WORKLOAD -> WorkloadSubjects.subject(subject);
        };
    }

    private static Set<String> actions(RepositoryAccessSpec spec) {
        Set<String> actions = new LinkedHashSet<>();
        for (RepositoryAction action : spec.getActions()) {
            if (action != null) {
                actions.add(action.wireName());
            }
        }
        return actions;
    }

    private static void subjectProblems(RepositoryAccessSpec spec, List<Problem> problems) {
        if (spec.getSubjects().isEmpty() && spec.getCredentials() == null) {
            problems.add(new Problem(INVALID_SUBJECT, "spec.subjects is empty and spec.credentials is not set"));
        }
        for (int i = 0; i < spec.getSubjects().size(); i++) {
            GrantSubject subject = spec.getSubjects().get(i);
            String where = "spec.subjects[" + i + "]";
            if (subject == null || subject.getKind() == null) {
                problems.add(new Problem(INVALID_SUBJECT, where + ": kind is required (User, Group, "
                        + "ServiceAccount, Anonymous, Authenticated or Workload)"));
            } else if (needsName(subject.getKind()) && blank(subject.getName())) {
                problems.add(new Problem(INVALID_SUBJECT, where + ": a " + kindName(subject.getKind())
                        + " subject needs a name"));
            } else if (needsName(subject.getKind()) && subject.getName().contains(":")
                    && subject.getKind() == GrantSubject.Kind.SERVICE_ACCOUNT) {
                problems.add(new Problem(INVALID_SUBJECT, where + ": write the ServiceAccount's namespace in "
                        + "'namespace', not in its name"));
            } else if (!blank(subject.getSource()) && subject.getKind() != GrantSubject.Kind.USER
                    && subject.getKind() != GrantSubject.Kind.GROUP) {
                problems.add(new Problem(INVALID_SUBJECT, where + ": only User and Group subjects name a source"));
            } else if (subject.getKind() == GrantSubject.Kind.GROUP && subject.getName().startsWith("system:")
                    && !blank(subject.getSource())) {
                problems.add(new Problem(INVALID_SUBJECT, where + ": system: groups are Kubernetes' own and come"
                        + " from no other source"));
            }
        }
    }

    private static void credentialsProblems(RepositoryAccess grant, CredentialsSpec credentials,
                                            List<Problem> problems) {
        if (credentials == null) {
            return;
        }
        if (RobotSecret.robotName(grant).length() > BasicAuth.MAX_USERNAME_CHARS) {
            problems.add(new Problem(INVALID_CREDENTIALS, "the robot name " + RobotSecret.robotName(grant).length()
                    + " characters long would exceed " + BasicAuth.MAX_USERNAME_CHARS + "; use a shorter grant name"));
        }
        if (blank(credentials.getSecretName())) {
            problems.add(new Problem(INVALID_CREDENTIALS, "spec.credentials.secretName is required"));
        }
        Duration period = null;
        Duration grace = null;
        try {
            period = credentials.rotationPeriodDuration();
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(INVALID_CREDENTIALS, "spec.credentials.rotationPeriod: " + e.getMessage()));
        }
        try {
            grace = credentials.gracePeriodDuration();
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(INVALID_CREDENTIALS, "spec.credentials.gracePeriod: " + e.getMessage()));
        }
        // One previous password is kept: a grace reaching past the next rotation would be cut short there.
        if (period != null && grace != null && !period.isZero() && grace.compareTo(period) >= 0) {
            problems.add(new Problem(INVALID_CREDENTIALS, "spec.credentials.gracePeriod (" + credentials.getGracePeriod()
                    + ") must be shorter than spec.credentials.rotationPeriod (" + credentials.getRotationPeriod()
                    + "): only the previous password is kept, so it would end at the next rotation; the default"
                    + " gracePeriod is " + CredentialsSpec.DEFAULT_GRACE_PERIOD));
        }
    }

    private static void tenancyProblems(RepositoryAccessSpec spec, List<String> patterns, String namespace,
                                        RegistryAuth target, List<Problem> problems) {
        TenancySpec tenancy = target.getSpec() == null || target.getSpec().getTenancy() == null
                ? new TenancySpec() : target.getSpec().getTenancy();
        String allowed = tenancy.patternFor(namespace);
        String where = "RegistryAuth " + target.getMetadata().getNamespace() + "/" + target.getMetadata().getName();
        Optional<String> tenancyProblem = Policy.patternProblem(allowed);
        if (tenancyProblem.isPresent()) {
            problems.add(new Problem(OUTSIDE_TENANCY, where + " has an unusable spec.tenancy.namespaceRepositories ("
                    + tenancyProblem.get() + "), so grants from other namespaces are not enforced"));
            return;
        }
        for (String pattern : patterns) {
            if (!PatternCoverage.covers(allowed, pattern)) {
                problems.add(new Problem(OUTSIDE_TENANCY, "repository pattern \"" + pattern + "\" reaches beyond \""
                        + allowed + "\", which grants from namespace " + namespace + " are limited to by " + where));
            }
        }
        if (spec.isCatalog()) {
            problems.add(new Problem(OUTSIDE_TENANCY, "catalog access lists every repository of the registry; "
                    + "only grants in namespace " + target.getMetadata().getNamespace() + " may give it"));
        }
    }

    private static boolean needsName(GrantSubject.Kind kind) {
        return kind == GrantSubject.Kind.USER || kind == GrantSubject.Kind.GROUP
                || kind == GrantSubject.Kind.SERVICE_ACCOUNT;
    }

    private static String kindName(GrantSubject.Kind kind) {
        return switch (kind) {
            case USER -> "User";
            case GROUP -> "Group";
            case SERVICE_ACCOUNT -> "ServiceAccount";
            case ANONYMOUS -> "Anonymous";
            case AUTHENTICATED -> "Authenticated";
            case WORKLOAD -> "Workload";
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
