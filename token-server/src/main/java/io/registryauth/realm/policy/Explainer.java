package io.registryauth.realm.policy;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Why a caller gets, or does not get, what one scope asks for, told grant by grant.
 *
 * <p>Every answer is computed by {@link Policy} itself, never by a second reading of the rules: the verdict
 * is the realm's own {@link Policy#authorize} at that instant, and each grant is judged by compiling it alone
 * and asking that policy three questions (does any subject of it match the caller: the grant widened to every
 * repository and action; does a pattern match: widened to every action; does it hold the actions: as
 * written). So whatever the realm's subject matching knows (sources, {@code system:} groups, robots,
 * {@code ${user}}), the explanation knows too. The grants that decided are those that, in force, give part of
 * what was asked; together they give exactly what the realm grants (tested against {@code authorize}).
 */
public final class Explainer {
    private static final List<String> EVERY_REPOSITORY = List.of("**");
    private static final Set<String> EVERY_ACTION = Set.of("*");

    /** Why a grant did, or did not, give what was asked. */
    public enum Reason {
        /** In force and gives (part of) what was asked. */
        GRANTED("granted"),
        /** None of its subjects is the caller. */
        NO_MATCHING_SUBJECT("no-matching-subject"),
        /** Names the caller, but none of its repository patterns matches the name (or no catalog access). */
        PATTERN_NOT_MATCHED("pattern-not-matched"),
        /** Names the caller and the repository, but holds none of the actions asked for. */
        ACTION_NOT_GRANTED("action-not-granted"),
        /** Would give it, but its validFrom is still ahead. */
        PENDING("pending"),
        /** Would give it, but its validUntil has passed. */
        EXPIRED("expired"),
        /** Would give it, but whoever produces grants does not enforce it (outside tenancy, invalid, ...). */
        NOT_ENFORCED("not-enforced");

        public final String code;

        Reason(String code) {
            this.code = code;
        }
    }

    /** A grant that exists but is not handed to the realm, and why (a producer's reason and message). */
    public record Unenforced(Grant grant, String reason, String message) {
    }

    /**
     * One grant's part: {@code actions} are what it gives (GRANTED) or would give (PENDING, EXPIRED,
     * NOT_ENFORCED) on the scope, else what it holds on the repository (ACTION_NOT_GRANTED) or nothing.
     * {@code detail} says it in words; for NOT_ENFORCED it starts with the producer's reason.
     */
    public record Verdict(Grant grant, Reason reason, Set<String> actions, String detail) {
        public Verdict {
            actions = Set.copyOf(actions);
        }
    }

    /**
     * The answer for one scope: what the realm grants ({@code granted}, empty for nothing), whether that is
     * all that was asked ({@code allowed}), the grants that decided, and every other grant with its reason.
     */
    public record Explanation(ResourceScope requested, Set<String> granted, boolean allowed, List<Verdict> deciding,
                              List<Verdict> others) {
        public Explanation {
            granted = Set.copyOf(granted);
            deciding = List.copyOf(deciding);
            others = List.copyOf(others);
        }

        /** The actions asked for and not granted ({@code *} counts as granted when every action is). */
        public Set<String> missing() {
            return Explainer.missing(requested.actions(), granted);
        }
    }

    private Explainer() {
    }

    /** Explains {@code scope} for {@code who} at {@code now}, with the policy's own grants only. */
    public static Explanation explain(Policy policy, Identity who, ResourceScope scope, Instant now) {
        return explain(policy, List.of(), who, scope, now);
    }

    /**
     * Explains {@code scope} for {@code who} at {@code now}: the policy's grants (in force, pending or
     * expired) and the {@code unenforced} ones the realm never sees.
     */
    public static Explanation explain(Policy policy, Collection<Unenforced> unenforced, Identity who,
                                      ResourceScope scope, Instant now) {
        Identity caller = who == null ? Identity.ANONYMOUS : who;
        List<ResourceScope> answer = policy.at(now).authorize(caller, List.of(scope));
        Set<String> granted = answer.isEmpty() ? Set.of() : answer.get(0).actions();
        List<Verdict> deciding = new ArrayList<>();
        List<Verdict> others = new ArrayList<>();
        for (Grant grant : policy.grants()) {
            Verdict verdict = judge(grant, caller, scope, now, null);
            (verdict.reason() == Reason.GRANTED ? deciding : others).add(verdict);
        }
        for (Unenforced u : unenforced) {
            others.add(judge(u.grant(), caller, scope, now, u));
        }
        return new Explanation(scope, granted, missing(scope.actions(), granted).isEmpty(), deciding, others);
    }

    /** One grant, alone, against the scope. */
    public static Verdict judge(Grant grant, Identity caller, ResourceScope scope, Instant now, Unenforced unenforced) {
        Set<String> gives = alone(grant).authorize(caller, List.of(scope)).stream().findFirst()
                .map(ResourceScope::actions).orElse(Set.of());
        if (!gives.isEmpty()) {
            if (unenforced != null) {
                return new Verdict(grant, Reason.NOT_ENFORCED, gives, unenforced.reason() + ": " + unenforced.message());
            }
            return switch (grant.validity(now)) {
                case PENDING -> new Verdict(grant, Reason.PENDING, gives, "in force from " + grant.validFrom());
                case EXPIRED -> new Verdict(grant, Reason.EXPIRED, gives, "expired at " + grant.validUntil());
                case ACTIVE -> new Verdict(grant, Reason.GRANTED, gives, grant.validUntil() == null ? "in force"
                        : "in force until " + grant.validUntil());
            };
        }
        boolean catalog = "registry".equals(scope.type());
        Grant anywhere = new Grant(grant.id(), grant.subjects(), EVERY_REPOSITORY, EVERY_ACTION, true);
        ResourceScope probe = catalog ? scope : new ResourceScope(scope.type(), scope.resourceClass(), scope.name(),
                Set.of("pull"));
        if (alone(anywhere).authorize(caller, List.of(probe)).isEmpty()) {
            return new Verdict(grant, Reason.NO_MATCHING_SUBJECT, Set.of(), "names " + subjects(grant)
                    + "; the caller is " + describe(caller));
        }
        if (catalog) {
            return new Verdict(grant, Reason.PATTERN_NOT_MATCHED, Set.of(), "gives no catalog access");
        }
        Grant everyAction = new Grant(grant.id(), grant.subjects(), grant.repositoryPatterns(), EVERY_ACTION,
                grant.catalog());
        if (alone(everyAction).authorize(caller, List.of(probe)).isEmpty()) {
            return new Verdict(grant, Reason.PATTERN_NOT_MATCHED, Set.of(), patterns(grant, scope.name()));
        }
        Set<String> held = new LinkedHashSet<>();
        for (String action : List.of("pull", "push", "delete")) {
            ResourceScope one = new ResourceScope(scope.type(), scope.resourceClass(), scope.name(), Set.of(action));
            if (!alone(grant).authorize(caller, List.of(one)).isEmpty()) {
                held.add(action);
            }
        }
        return new Verdict(grant, Reason.ACTION_NOT_GRANTED, held, held.isEmpty()
                ? "holds no usable action (" + String.join(",", grant.actions()) + ")"
                : "holds only " + String.join(",", held));
    }

    /**
     * The audit's short reason for a scope that was not (wholly) granted: {@code expired} or {@code pending}
     * when a grant outside its validity would have given what is missing, else {@code no-grant} when the caller
     * holds nothing on the resource and {@code action-not-granted} when it holds other actions there. {@code granted} is what the
     * realm answered for this scope (null for nothing); {@code policy} the one that answered.
     */
    public static String reasonCode(Policy policy, Identity who, ResourceScope requested, ResourceScope granted) {
        Set<String> got = granted == null ? Set.of() : granted.actions();
        Set<String> missing = missing(requested.actions(), got);
        if (gives(policy.expiredGrants(), who, requested, missing)) {
            return Reason.EXPIRED.code;
        }
        if (gives(policy.pendingGrants(), who, requested, missing)) {
            return Reason.PENDING.code;
        }
        if (got.isEmpty()) {
            // Nothing of what was asked: does the caller hold anything at all on this resource?
            ResourceScope any = new ResourceScope(requested.type(), requested.resourceClass(), requested.name(),
                    Set.of("*"));
            return policy.authorize(who, List.of(any)).isEmpty() ? "no-grant" : Reason.ACTION_NOT_GRANTED.code;
        }
        return Reason.ACTION_NOT_GRANTED.code;
    }

    private static boolean gives(Policy grants, Identity who, ResourceScope requested, Set<String> missing) {
        if (grants == null) {
            return false;
        }
        List<ResourceScope> answer = grants.authorize(who, List.of(requested));
        return !answer.isEmpty() && missing(missing, answer.get(0).actions()).size() < missing.size();
    }

    /** What of {@code asked} is not in {@code got}; a {@code *} asked is missing unless every action was got. */
    public static Set<String> missing(Set<String> asked, Set<String> got) {
        Set<String> missing = new LinkedHashSet<>();
        boolean everything = got.contains("*") || got.containsAll(List.of("pull", "push", "delete"));
        for (String action : asked) {
            if (action.equals("*") ? !everything : !got.contains(action) && !got.contains("*")) {
                missing.add(action);
            }
        }
        return missing;
    }

    private static Policy alone(Grant grant) {
        return Policy.compile(List.of(grant.validBetween(null, null)), Instant.EPOCH);
    }

    private static String subjects(Grant grant) {
        List<String> names = new ArrayList<>();
        for (Subject s : grant.subjects()) {
            names.add(describe(s));
        }
        return names.isEmpty() ? "no subject" : String.join(", ", names);
    }

    /** A subject as a person writes it: {@code Group team-a}, {@code User alice (from oidc:corp)}. */
    public static String describe(Subject s) {
        if (s.kind() == SubjectKind.WORKLOAD && s.workload() != null) {
            WorkloadMatch m = s.workload();
            List<String> conditions = new ArrayList<>();
            new java.util.TreeMap<>(m.claims()).forEach((claim, value) -> conditions.add(claim + "=" + value));
            new java.util.TreeMap<>(m.claimPatterns()).forEach((claim, glob) -> conditions.add(claim + "~" + glob));
            if (m.condition() != null) {
                conditions.add("condition");
            }
            return "Workload " + m.provider() + " (" + String.join(", ", conditions) + ")";
        }
        String kind = switch (s.kind()) {
            case USER -> "User";
            case GROUP -> "Group";
            case SERVICE_ACCOUNT -> "ServiceAccount";
            case ANONYMOUS -> "Anonymous";
            case AUTHENTICATED -> "Authenticated";
            case ROBOT -> "Robot";
            default -> s.kind().name();
        };
        String out = s.name() == null ? kind : kind + " " + s.name();
        return s.source() == null || s.source().isEmpty() ? out : out + " (from " + s.source() + ")";
    }

    /** The caller as a person reads it. */
    public static String describe(Identity who) {
        if (who.anonymous()) {
            return "anonymous";
        }
        String kind = switch (who.kind()) {
            case SERVICE_ACCOUNT -> "service account";
            case ROBOT -> "robot (matched only by its own grant)";
            case WORKLOAD -> "workload";
            default -> "user";
        };
        StringBuilder out = new StringBuilder(kind).append(' ').append(who.name());
        if (who.authenticator() != null && !who.authenticator().isEmpty()) {
            out.append(" from ").append(who.authenticator());
        }
        if (!who.groups().isEmpty()) {
            out.append(", groups ").append(String.join(", ", new java.util.TreeSet<>(who.groups())));
        }
        return out.toString();
    }

    private static String patterns(Grant grant, String name) {
        List<String> usable = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        for (String pattern : grant.repositoryPatterns()) {
            Policy.patternProblem(pattern).ifPresentOrElse(p -> unusable.add(p), () -> usable.add(pattern));
        }
        String out = usable.isEmpty() ? "has no usable repository pattern"
                : "patterns " + String.join(", ", usable) + " do not match " + name;
        return unusable.isEmpty() ? out : out + " (ignored: " + String.join("; ", unusable) + ")";
    }
}
