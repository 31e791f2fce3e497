package io.registryauth.realm.policy;

import io.registryauth.realm.scope.RepositoryNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The conditions a workload (a CI job holding an ID token of a workload-identity provider) must meet to be
 * one WORKLOAD subject: every entry of {@code claims} equal to the token's claim of that name, every entry
 * of {@code claimPatterns} a glob the claim matches, and the CEL {@code condition}, when set, true. All
 * conditions of one subject must hold.
 *
 * <p>Rules, decided here for the operator's status and the policy alike ({@link #problems}): at least one
 * claim is pinned to an exact value (for GitHub, whose one issuer serves every organisation, best the
 * numeric {@code repository_owner_id} or {@code repository_id}); globs only on the claims in
 * {@link #PATTERN_CLAIMS}, where a branch, tag, environment or workflow is named; {@code sub} never, in
 * either form (its format differs between platforms and changes over time, and its values are
 * percent-escaped): match the claims it is made of. Globs: {@code *} any run of characters without '/',
 * {@code **} any run of characters.
 */
public record WorkloadMatch(String provider, Map<String, String> claims, Map<String, String> claimPatterns,
                            String condition) {
    /** Identities a workload-identity provider admits carry {@code workload:<provider>} as their source. */
    public static final String SOURCE_PREFIX = "workload:";
    /** Claims that name a ref, an environment or a workflow: the only ones a glob may test. */
    public static final Set<String> PATTERN_CLAIMS = Set.of("ref", "base_ref", "head_ref", "environment",
            "workflow", "workflow_ref", "job_workflow_ref", "ci_config_ref_uri");
    /** Claims no condition may name. */
    public static final Set<String> FORBIDDEN_CLAIMS = Set.of("sub");
    /** Identifier claims preferred as a grant's index key, most specific first. */
    static final List<String> IDENTIFIER_CLAIMS = List.of("repository_id", "project_id", "repository",
            "project_path", "repository_owner_id", "namespace_id", "repository_owner", "namespace_path");
    public static final int MAX_VALUE_CHARS = 256;
    public static final int MAX_CONDITIONS = 16;
    public static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    public WorkloadMatch {
        claims = claims == null ? Map.of() : Map.copyOf(claims);
        claimPatterns = claimPatterns == null ? Map.of() : Map.copyOf(claimPatterns);
        condition = condition == null || condition.isBlank() ? null : condition;
    }

    /** Why these conditions cannot be used, each in words a person can act on; empty when they are fine. */
    public List<String> problems() {
        List<String> problems = structuralProblems();
        if (condition != null) {
            WorkloadCondition.problem(condition).ifPresent(p -> problems.add("condition: " + p));
        }
        return problems;
    }

    /** The problems of everything but the CEL condition (which the policy compiles once, separately). */
    List<String> structuralProblems() {
        List<String> problems = new ArrayList<>();
        if (provider == null || provider.isBlank()) {
            problems.add("a Workload subject needs a provider");
        }
        if (claims.isEmpty()) {
            problems.add("a Workload subject pins at least one claim to an exact value in 'claims' (for GitHub"
                    + " best repository_owner_id or repository_id, for GitLab project_id or namespace_id): the"
                    + " provider's other jobs must not match");
        }
        if (claims.size() + claimPatterns.size() > MAX_CONDITIONS) {
            problems.add("at most " + MAX_CONDITIONS + " claims and claimPatterns together");
        }
        for (Map.Entry<String, String> e : new TreeMap<>(claims).entrySet()) {
            nameProblem(e.getKey(), "claims").ifPresent(problems::add);
            if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().length() > MAX_VALUE_CHARS) {
                problems.add("claims." + e.getKey() + " needs a value of 1 to " + MAX_VALUE_CHARS + " characters");
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(claimPatterns).entrySet()) {
            String name = e.getKey();
            nameProblem(name, "claimPatterns").ifPresent(problems::add);
            if (!FORBIDDEN_CLAIMS.contains(name) && !PATTERN_CLAIMS.contains(name)) {
                problems.add("claimPatterns." + name + ": globs are allowed only on " + new java.util.TreeSet<>(PATTERN_CLAIMS)
                        + "; pin " + name + " to an exact value in 'claims'");
            }
            globProblem(e.getValue()).ifPresent(p -> problems.add("claimPatterns." + name + ": " + p));
        }
        return problems;
    }

    private static java.util.Optional<String> nameProblem(String name, String field) {
        if (name == null || !CLAIM_NAME.matcher(name).matches()) {
            return java.util.Optional.of(field + ": claim names are letters, digits and '_' (at most 64)");
        }
        if (FORBIDDEN_CLAIMS.contains(name)) {
            return java.util.Optional.of(field + ".sub: sub is never matched (its format differs between platforms,"
                    + " changes over time and percent-escapes its values); match the claims it is made of, such as"
                    + " repository and ref, or project_path and ref");
        }
        return java.util.Optional.empty();
    }

    private static java.util.Optional<String> globProblem(String glob) {
        if (glob == null || glob.isEmpty() || glob.length() > MAX_VALUE_CHARS) {
            return java.util.Optional.of("a glob of 1 to " + MAX_VALUE_CHARS + " characters is needed");
        }
        if (glob.contains("***")) {
            return java.util.Optional.of("'***' is ambiguous; use '*' (within one path segment) or '**'");
        }
        if (glob.contains("$")) {
            return java.util.Optional.of("'$' is not allowed in a glob");
        }
        return java.util.Optional.empty();
    }

    /** A claim value as conditions compare it: strings as they are, numbers and booleans as JSON writes them. */
    static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        return null;
    }

    /**
     * What a claim fills {@code ${claims.<name>}} with: its value lowercased (repository names are lowercase;
     * GitHub and GitLab treat owner, group and project names without regard to case), when that is one or
     * more valid repository path components joined by '/'; null otherwise (no '..', no wildcard, no empty
     * segment, nothing a registry would not take), so the pattern using it matches nothing.
     */
    public static String templateValue(Object claim) {
        String value = text(claim);
        if (value == null || value.isEmpty() || value.length() > RepositoryNames.MAX_LENGTH) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        int start = 0;
        while (true) {
            int slash = lower.indexOf('/', start);
            int end = slash < 0 ? lower.length() : slash;
            if (!RepositoryNames.isPathComponent(lower.substring(start, end))) {
                return null;
            }
            if (slash < 0) {
                return lower;
            }
            start = slash + 1;
        }
    }
}
