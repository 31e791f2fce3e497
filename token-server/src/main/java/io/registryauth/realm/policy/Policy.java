package io.registryauth.realm.policy;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.RepositoryNames;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compiled grants of one realm, answering "which of these requested actions may this caller have".
 *
 * <p>Subjects: USER matches a USER identity of that name, GROUP an identity whose groups contain it,
 * both limited to one source's identities when the subject names a source. Group names starting with
 * {@code system:} are Kubernetes' own and match only service-account identities, whatever another source
 * claims. SERVICE_ACCOUNT matches a SERVICE_ACCOUNT identity named {@code "<namespace>:<name>"}, AUTHENTICATED every
 * caller that is not anonymous, and ANONYMOUS <em>every</em> caller, anonymous or not: a repository
 * that anyone may pull stays pullable after {@code docker login}. The one exception is a ROBOT identity
 * (the generated credential of one grant): only ROBOT subjects naming it match it, so a robot can do
 * exactly what its own grant says whatever ANONYMOUS, AUTHENTICATED or GROUP grants say.
 *
 * <p>A WORKLOAD identity (a CI job admitted with its ID token) is matched by the WORKLOAD subjects of its
 * provider whose claim conditions it meets ({@link WorkloadMatch}) and by ANONYMOUS subjects (what anyone may
 * do without credentials stays allowed), never by AUTHENTICATED, USER or GROUP ones: a provider such as
 * GitHub's serves every organisation of the platform, so "authenticated" says nothing about whose job it is.
 * Its patterns may use {@code ${claims.<name>}}, filled with the claim's lowercased value when that is a
 * valid repository path and matching nothing otherwise; {@code ${user}} is never filled for it.
 *
 * <p>For each requested repository scope the answer is the union of the actions of all matching grants
 * intersected with the request, so the order of grants never matters. A grant holding {@code *} grants
 * everything asked for, {@code *} included; otherwise a requested {@code *} is answered with the
 * concrete actions (pull, push, delete) the caller holds, which is what {@code skopeo delete} needs.
 * {@code registry:catalog} is granted, with whatever actions were asked, when a matching grant has
 * catalog access. Scopes left without actions are dropped; unknown resource types are never granted.
 *
 * <p>Evaluation is indexed: grants are filed by subject (kind and name), and per subject exact repository
 * names sit in a hash map, wildcard patterns in a trie of their literal leading path segments, and
 * {@code ${user}} patterns in a short list expanded per request. A request costs a few hash lookups per
 * subject the caller is (anonymous, authenticated, its name, each group), not a scan of the grants.
 * Patterns that {@link #patternProblem} rejects and grant actions other than pull, push, delete and
 * {@code *} are ignored at compile time; the producer of grants reports them. Immutable and thread-safe
 * once compiled.
 *
 * <p>Time-bound grants ({@link Grant#validFrom()}, {@link Grant#validUntil()}): a policy is compiled for one
 * instant and indexes only the grants in force then; it keeps every grant it was given and the interval
 * within which that selection holds ({@link #inForceAt}), and {@link #at} recompiles for an instant outside
 * it. The index itself never looks at the time, so a request costs the same with or without such grants.
 */
public final class Policy {
    static final int PULL = 1;
    static final int PUSH = 2;
    static final int DELETE = 4;
    static final int ALL = 8;
    private static final Policy EMPTY = new Policy(Map.of(), 0, false);
    private static final String ALL_CALLERS = "";
    private static final String KUBERNETES_PREFIX = "system:";
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
    /** What stands for ':' in a ${user} segment; names that hold it get no segment, so the mapping is one-to-one. */
    private static final String COLON_IN_SEGMENT = "--";

    // One map per subject kind, keyed by the subject's name, so a lookup needs no string building.
    private final Map<SubjectKind, Map<String, SubjectRules>> bySubject;
    private final int size;
    /** Whether any subject names a source: only then are the source-keyed entries looked up. */
    private final boolean hasSourcedSubjects;

    /** Every grant handed to {@link #compile(Collection, Instant)}, in force or not. */
    private final List<Grant> grants;
    /** This index holds from activeFrom (inclusive) to activeUntil (exclusive): no grant starts or ends between. */
    private final Instant activeFrom;
    private final Instant activeUntil;
    /** The grants not yet, or no longer, in force, indexed as if they were (null when there are none). */
    private final Policy pending;
    private final Policy expired;

    private Policy(Map<SubjectKind, Map<String, SubjectRules>> bySubject, int size, boolean sourced) {
        this(bySubject, size, sourced, WorkloadRules.EMPTY);
    }

    private Policy(Map<SubjectKind, Map<String, SubjectRules>> bySubject, int size, boolean sourced,
                   WorkloadRules workloads) {
        this.bySubject = bySubject;
        this.size = size;
        this.hasSourcedSubjects = sourced;
        this.workloads = workloads;
        this.grants = List.of();
        this.activeFrom = Instant.MIN;
        this.activeUntil = Instant.MAX;
        this.pending = null;
        this.expired = null;
    }

    private Policy(Policy index, List<Grant> grants, Instant activeFrom, Instant activeUntil, Policy pending,
                   Policy expired) {
        this.bySubject = index.bySubject;
        this.size = index.size;
        this.hasSourcedSubjects = index.hasSourcedSubjects;
        this.workloads = index.workloads;
        this.grants = grants;
        this.activeFrom = activeFrom;
        this.activeUntil = activeUntil;
        this.pending = pending;
        this.expired = expired;
    }

    /** WORKLOAD subjects, indexed by provider and pinned claim. */
    private final WorkloadRules workloads;

    public static Policy empty() {
        return EMPTY;
    }

    /** The grants in force now ({@link #compile(Collection, Instant)} at the system clock's instant). */
    public static Policy compile(Collection<Grant> grants) {
        return compile(grants, Instant.now());
    }

    /**
     * Indexes the grants in force at {@code now} and remembers the others: {@link #at} moves the policy to
     * another instant, and explanations name the grants that are pending or expired.
     */
    public static Policy compile(Collection<Grant> grants, Instant now) {
        List<Grant> active = new ArrayList<>(grants.size());
        List<Grant> pending = new ArrayList<>();
        List<Grant> expired = new ArrayList<>();
        Instant from = Instant.MIN;
        Instant until = Instant.MAX;
        for (Grant grant : grants) {
            switch (grant.validity(now)) {
                case ACTIVE -> active.add(grant);
                case PENDING -> pending.add(grant);
                case EXPIRED -> expired.add(grant);
            }
            for (Instant boundary : new Instant[] {grant.validFrom(), grant.validUntil()}) {
                if (boundary == null) {
                    continue;
                }
                if (now.isBefore(boundary)) {
                    until = boundary.isBefore(until) ? boundary : until;
                } else {
                    from = boundary.isAfter(from) ? boundary : from;
                }
            }
        }
        return new Policy(index(active), List.copyOf(grants), from, until,
                pending.isEmpty() ? null : index(pending), expired.isEmpty() ? null : index(expired));
    }

    /** Every grant this policy was compiled from, in force at its instant or not. */
    public List<Grant> grants() {
        return grants;
    }

    /** Whether this policy's selection of grants is the one in force at {@code now}. */
    public boolean inForceAt(Instant now) {
        return !now.isBefore(activeFrom) && now.isBefore(activeUntil);
    }

    /** Whether some grant starts or ends at some instant, so the policy must be moved along with time. */
    public boolean timeBound() {
        return !activeFrom.equals(Instant.MIN) || !activeUntil.equals(Instant.MAX);
    }

    /** The first instant at which another selection of grants is in force ({@link Instant#MAX}: none). */
    public Instant activeUntil() {
        return activeUntil;
    }

    /** This policy as it is at {@code now}: itself when nothing starts or ends in between, else recompiled. */
    public Policy at(Instant now) {
        return inForceAt(now) ? this : compile(grants, now);
    }

    /** The grants not yet in force, indexed as if they were; null when there are none. */
    Policy pendingGrants() {
        return pending;
    }

    /** The grants no longer in force, indexed as if they were; null when there are none. */
    Policy expiredGrants() {
        return expired;
    }

    private static Policy index(Collection<Grant> grants) {
        Map<SubjectKind, Map<String, SubjectRules.Builder>> builders = new EnumMap<>(SubjectKind.class);
        boolean sourced = false;
        WorkloadRules.Builder workloads = new WorkloadRules.Builder();
        for (Grant grant : grants) {
            int mask = mask(grant.actions());
            List<RepositoryPattern> patterns = new ArrayList<>(grant.repositoryPatterns().size());
            List<String> patternSources = new ArrayList<>(grant.repositoryPatterns().size());
            for (String pattern : grant.repositoryPatterns()) {
                if (RepositoryPattern.problem(pattern).isEmpty()) {
                    patterns.add(RepositoryPattern.compile(pattern));
                    patternSources.add(pattern);
                }
            }
            for (Subject subject : grant.subjects()) {
                if (subject != null && subject.kind() == SubjectKind.WORKLOAD) {
                    workloads.add(subject.workload(), patterns, mask, grant.catalog(), patternSources);
                    continue;
                }
                String key = key(subject);
                if (key == null) {
                    continue;
                }
                sourced |= subject.source() != null && !subject.source().isEmpty();
                SubjectRules.Builder builder = builders.computeIfAbsent(subject.kind(), k -> new HashMap<>())
                        .computeIfAbsent(key, k -> new SubjectRules.Builder());
                if (grant.catalog()) {
                    builder.catalog = true;
                }
                if (mask != 0) {
                    for (RepositoryPattern pattern : patterns) {
                        builder.add(pattern, mask);
                    }
                }
            }
        }
        Map<SubjectKind, Map<String, SubjectRules>> bySubject = new EnumMap<>(SubjectKind.class);
        builders.forEach((kind, byName) -> {
            Map<String, SubjectRules> built = new HashMap<>(byName.size() * 2);
            byName.forEach((name, builder) -> built.put(name, builder.build()));
            bySubject.put(kind, built);
        });
        return new Policy(bySubject, grants.size(), sourced, workloads.build());
    }

    /** Number of grants this policy was compiled from. */
    public int size() {
        return size;
    }

    /** Why {@code pattern} is not a usable repository pattern, in words a person can act on. */
    public static Optional<String> patternProblem(String pattern) {
        return RepositoryPattern.problem(pattern);
    }

    /** The granted part of {@code requested}, in request order; never throws. */
    public List<ResourceScope> authorize(Identity who, List<ResourceScope> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        Identity caller = who == null ? Identity.ANONYMOUS : who;
        List<SubjectRules> rules = rulesFor(caller);
        if (rules.isEmpty()) {
            return List.of();
        }
        String user = userVariable(caller);
        Map<String, String> templates = caller.kind() == SubjectKind.WORKLOAD ? workloads.templateValues(caller) : null;
        List<ResourceScope> granted = new ArrayList<>(requested.size());
        for (ResourceScope scope : requested) {
            if (scope == null || scope.name() == null || scope.type() == null) {
                continue;
            }
            Set<String> actions = switch (scope.type()) {
                case "repository" -> repositoryActions(rules, scope, user, templates);
                case "registry" -> catalogActions(rules, scope);
                default -> Set.of();
            };
            if (actions.isEmpty()) {
                continue;
            }
            if (actions == scope.actions()) {
                granted.add(scope);
            } else {
                granted.add(new ResourceScope(scope.type(), scope.resourceClass(), scope.name(), actions));
            }
        }
        return List.copyOf(granted);
    }

    private List<SubjectRules> rulesFor(Identity caller) {
        List<SubjectRules> rules = new ArrayList<>(4 + caller.groups().size());
        if (caller.kind() == SubjectKind.ROBOT) {
            addRules(rules, SubjectKind.ROBOT, caller.name());
            return rules;
        }
        if (caller.kind() == SubjectKind.WORKLOAD) {
            addRules(rules, SubjectKind.ANONYMOUS, ALL_CALLERS);
            workloads.collect(caller, rules);
            return rules;
        }
        addRules(rules, SubjectKind.ANONYMOUS, ALL_CALLERS);
        if (caller.anonymous()) {
            return rules;
        }
        addRules(rules, SubjectKind.AUTHENTICATED, ALL_CALLERS);
        if (caller.kind() == SubjectKind.USER || caller.kind() == SubjectKind.SERVICE_ACCOUNT) {
            addRules(rules, caller.kind(), caller.name());
            if (hasSourcedSubjects) {
                addRules(rules, caller.kind(), sourced(caller.authenticator(), caller.name()));
            }
        }
        if (!caller.groups().isEmpty() && bySubject.containsKey(SubjectKind.GROUP)) {
            boolean kubernetes = caller.kind() == SubjectKind.SERVICE_ACCOUNT;
            for (String group : caller.groups()) {
                if (group.startsWith(KUBERNETES_PREFIX) && !kubernetes) {
                    continue;
                }
                addRules(rules, SubjectKind.GROUP, group);
                if (hasSourcedSubjects) {
                    addRules(rules, SubjectKind.GROUP, sourced(caller.authenticator(), group));
                }
            }
        }
        return rules;
    }

    private void addRules(List<SubjectRules> rules, SubjectKind kind, String name) {
        Map<String, SubjectRules> byName = bySubject.get(kind);
        SubjectRules r = byName == null || name == null ? null : byName.get(name);
        if (r != null) {
            rules.add(r);
        }
    }

    /** How a subject limited to a source is filed: the source and the name, apart by a NUL no name holds. */
    private static String sourced(String source, String name) {
        return source == null ? null : source + '\0' + name;
    }

    /**
     * The value of ${user}: one path segment per identity, never shared by two identities. The caller's full
     * name (a service account's as {@code system:serviceaccount:<ns>:<name>}) with each ':' written "--", so
     * {@code corp:alice} gets {@code corp--alice}; a name already holding "--", a {@code system:} name that is
     * no service account's, and a result that is no path segment get none (null, never matching), as do
     * anonymous callers.
     */
    static String userVariable(Identity caller) {
        String name = caller.name();
        if (caller.anonymous() || caller.kind() == SubjectKind.WORKLOAD || name == null || name.isEmpty()) {
            return null;
        }
        boolean serviceAccount = caller.kind() == SubjectKind.SERVICE_ACCOUNT;
        if (!serviceAccount && name.startsWith(KUBERNETES_PREFIX)) {
            return null;
        }
        String full = serviceAccount ? SERVICE_ACCOUNT_PREFIX + name : name;
        if (full.contains(COLON_IN_SEGMENT)) {
            return null;
        }
        String segment = full.replace(":", COLON_IN_SEGMENT);
        return RepositoryNames.isPathComponent(segment) ? segment : null;
    }

    private static Set<String> repositoryActions(List<SubjectRules> rules, ResourceScope scope, String user,
                                                 Map<String, String> templates) {
        int held = 0;
        for (SubjectRules r : rules) {
            held |= r.mask(scope.name(), user, templates);
            if ((held & ALL) != 0) {
                return scope.actions();
            }
        }
        if (held == 0) {
            return Set.of();
        }
        Set<String> actions = new LinkedHashSet<>();
        boolean all = true;
        for (String action : scope.actions()) {
            int bit = bit(action);
            if (bit == ALL) {
                addHeld(actions, held);
                all = false;
            } else if (bit != 0 && (held & bit) != 0) {
                actions.add(action);
            } else {
                all = false;
            }
        }
        // The common answer, everything asked, reuses the requested scope instead of copying it.
        return all ? scope.actions() : actions;
    }

    private static void addHeld(Set<String> actions, int held) {
        if ((held & PULL) != 0) {
            actions.add("pull");
        }
        if ((held & PUSH) != 0) {
            actions.add("push");
        }
        if ((held & DELETE) != 0) {
            actions.add("delete");
        }
    }

    private static Set<String> catalogActions(List<SubjectRules> rules, ResourceScope scope) {
        if (scope.resourceClass() != null || !scope.name().equals("catalog")) {
            return Set.of();
        }
        for (SubjectRules r : rules) {
            if (r.catalog()) {
                return scope.actions();
            }
        }
        return Set.of();
    }

    /** The name a subject is filed under within its kind; null for a subject that can match nobody. */
    private static String key(Subject subject) {
        if (subject == null || subject.kind() == null) {
            return null;
        }
        if (subject.kind() == SubjectKind.ANONYMOUS || subject.kind() == SubjectKind.AUTHENTICATED) {
            return ALL_CALLERS;
        }
        if (subject.name() == null || subject.name().isEmpty()) {
            return null;
        }
        return subject.source() == null || subject.source().isEmpty() ? subject.name()
                : sourced(subject.source(), subject.name());
    }

    static int mask(Collection<String> actions) {
        int mask = 0;
        for (String action : actions) {
            mask |= bit(action);
        }
        return mask;
    }

    private static int bit(String action) {
        return switch (action) {
            case "pull" -> PULL;
            case "push" -> PUSH;
            case "delete" -> DELETE;
            case "*" -> ALL;
            default -> 0;
        };
    }
}
