package io.registryauth.realm.policy;

import io.registryauth.realm.auth.Identity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The WORKLOAD subjects of a policy, indexed so that ten thousand of them cost a caller a few hash lookups:
 * filed by provider, then by one exact claim each subject pins (an identifier such as
 * {@code repository_id} when it pins one, see {@link WorkloadMatch#IDENTIFIER_CLAIMS}); every subject pins
 * at least one. A caller's candidates are the subjects filed under its provider and one of its own claim
 * values; only those have their remaining conditions (the other exact claims, the globs, the CEL condition)
 * checked. Each matching subject contributes the repository rules of its grant.
 */
final class WorkloadRules {
    static final WorkloadRules EMPTY = new WorkloadRules(Map.of(), Set.of());
    private static final String SOURCE_PREFIX = WorkloadMatch.SOURCE_PREFIX;

    private final Map<String, Provider> byProvider;
    private final Set<String> templateClaims;

    private WorkloadRules(Map<String, Provider> byProvider, Set<String> templateClaims) {
        this.byProvider = byProvider;
        this.templateClaims = templateClaims;
    }

    boolean isEmpty() {
        return byProvider.isEmpty();
    }

    /** Adds the rules of every subject the workload {@code caller} is. */
    void collect(Identity caller, List<SubjectRules> out) {
        String source = caller.authenticator();
        if (source == null || !source.startsWith(SOURCE_PREFIX)) {
            return;
        }
        Provider provider = byProvider.get(source.substring(SOURCE_PREFIX.length()));
        if (provider == null) {
            return;
        }
        Map<String, Object> claims = caller.claims();
        for (String claim : provider.indexClaims) {
            String value = WorkloadMatch.text(claims.get(claim));
            Entry[] entries = value == null ? null : provider.byKey.get(claim + '\0' + value);
            if (entries == null) {
                continue;
            }
            for (Entry entry : entries) {
                if (entry.matches(claims)) {
                    out.add(entry.rules);
                }
            }
        }
    }

    /** The values that fill ${claims.<name>} for this caller: only claims some pattern uses and that are valid paths. */
    Map<String, String> templateValues(Identity caller) {
        if (templateClaims.isEmpty()) {
            return Map.of();
        }
        Map<String, String> values = new HashMap<>(templateClaims.size() * 2);
        for (String claim : templateClaims) {
            String value = WorkloadMatch.templateValue(caller.claims().get(claim));
            if (value != null) {
                values.put(claim, value);
            }
        }
        return values;
    }

    private record Entry(String[] names, String[] values, String[] globClaims, RepositoryPattern[] globs,
                         WorkloadCondition condition, SubjectRules rules) {
        boolean matches(Map<String, Object> claims) {
            for (int i = 0; i < names.length; i++) {
                if (!values[i].equals(WorkloadMatch.text(claims.get(names[i])))) {
                    return false;
                }
            }
            for (int i = 0; i < globs.length; i++) {
                String value = WorkloadMatch.text(claims.get(globClaims[i]));
                if (value == null || !globs[i].matches(value, 0, null)) {
                    return false;
                }
            }
            return condition == null || condition.test(claims);
        }
    }

    private record Provider(Map<String, Entry[]> byKey, String[] indexClaims) {
    }

    /** Mutable while a policy compiles. */
    static final class Builder {
        private final Map<String, Map<String, List<Entry>>> byProvider = new HashMap<>();
        private final Map<String, Set<String>> indexClaims = new HashMap<>();
        private final Set<String> templateClaims = new LinkedHashSet<>();
        private final Map<String, java.util.Optional<WorkloadCondition>> conditions = new HashMap<>();

        /**
         * Files one WORKLOAD subject with its grant's patterns; a subject whose conditions {@link WorkloadMatch#problems}
         * rejects is left out (it matches nobody), as invalid patterns are: the producer of grants reports them.
         */
        void add(WorkloadMatch match, List<RepositoryPattern> patterns, int mask, boolean catalog,
                 List<String> patternSources) {
            if (match == null || !match.structuralProblems().isEmpty()) {
                return;
            }
            WorkloadCondition condition = null;
            if (match.condition() != null) {
                // Compiled once per distinct expression: many grants share one condition.
                condition = conditions.computeIfAbsent(match.condition(), WorkloadCondition::compile).orElse(null);
                if (condition == null) {
                    return;
                }
            }
            SubjectRules.Builder rules = new SubjectRules.Builder();
            rules.catalog = catalog;
            if (mask != 0) {
                for (RepositoryPattern pattern : patterns) {
                    rules.add(pattern, mask);
                }
            }
            for (String source : patternSources) {
                collectTemplateClaims(source, templateClaims);
            }
            String key = indexClaim(match.claims());
            Map<String, String> rest = new TreeMap<>(match.claims());
            String keyValue = rest.remove(key);
            Map<String, String> globs = new TreeMap<>(match.claimPatterns());
            Entry entry = new Entry(rest.keySet().toArray(new String[0]), rest.values().toArray(new String[0]),
                    globs.keySet().toArray(new String[0]),
                    globs.values().stream().map(RepositoryPattern::compile).toArray(RepositoryPattern[]::new),
                    condition, rules.build());
            byProvider.computeIfAbsent(match.provider(), p -> new HashMap<>())
                    .computeIfAbsent(key + '\0' + keyValue, k -> new ArrayList<>()).add(entry);
            indexClaims.computeIfAbsent(match.provider(), p -> new LinkedHashSet<>()).add(key);
        }

        WorkloadRules build() {
            if (byProvider.isEmpty()) {
                return EMPTY;
            }
            Map<String, Provider> built = new HashMap<>();
            byProvider.forEach((name, byKey) -> {
                Map<String, Entry[]> frozen = new HashMap<>(byKey.size() * 2);
                byKey.forEach((key, entries) -> frozen.put(key, entries.toArray(new Entry[0])));
                built.put(name, new Provider(frozen, indexClaims.get(name).toArray(new String[0])));
            });
            return new WorkloadRules(Map.copyOf(built), Set.copyOf(templateClaims));
        }

        /** The claim a subject is filed under: the most specific identifier it pins, else its first claim by name. */
        private static String indexClaim(Map<String, String> claims) {
            for (String identifier : WorkloadMatch.IDENTIFIER_CLAIMS) {
                if (claims.containsKey(identifier)) {
                    return identifier;
                }
            }
            return new TreeMap<>(claims).firstKey();
        }

        private static void collectTemplateClaims(String pattern, Set<String> out) {
            int i = pattern.indexOf(RepositoryPattern.CLAIMS_VARIABLE_PREFIX);
            while (i >= 0) {
                int close = pattern.indexOf('}', i);
                if (close < 0) {
                    return;
                }
                out.add(pattern.substring(i + RepositoryPattern.CLAIMS_VARIABLE_PREFIX.length(), close));
                i = pattern.indexOf(RepositoryPattern.CLAIMS_VARIABLE_PREFIX, close);
            }
        }
    }
}
