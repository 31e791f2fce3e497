package io.registryauth.cli.review;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.model.PatternCoverage;
import io.registryauth.realm.policy.Explainer;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code access-diff}: the access two sets of objects give, compared. Access is listed per registry, subject,
 * repository pattern and validity period, from the grants the operator would enforce (so a grant broken by
 * tenancy is access removed, and a grant moved to a namespace where it still counts changes nothing but its
 * name); actions of several grants on the same line are merged. Changed lines are annotated when a pattern
 * replaced another that it covers (widened) or that covers it (narrowed), by exact pattern inclusion.
 */
final class AccessDiff {
    /** Exit status: no change in access. */
    static final int UNCHANGED = 0;
    /** Exit status: access was only taken away. */
    static final int REMOVED = 2;
    /** Exit status: access was added (and maybe some taken away). */
    static final int ADDED = 3;

    /** One line of access: who, where, when; the actions and the grants giving them are the value. */
    record Key(String registry, String subject, String pattern, String validity) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return Comparator.comparing(Key::registry).thenComparing(Key::subject).thenComparing(Key::pattern)
                    .thenComparing(Key::validity).compare(this, o);
        }
    }

    record Access(Set<String> actions, Set<String> grants) {
    }

    record Change(String change, Key key, List<String> actions, List<String> grants, String note) {
    }

    record NotEnforced(String grant, String registry, String reason, String message) {
    }

    record Result(List<Change> changes, List<NotEnforced> notEnforced, List<String> grantsAdded,
                  List<String> grantsRemoved, List<String> grantsEdited) {
        int exitStatus() {
            if (changes.stream().anyMatch(c -> c.change().equals(ADDED_LINE))) {
                return ADDED;
            }
            return changes.stream().anyMatch(c -> c.change().equals(REMOVED_LINE)) ? REMOVED : UNCHANGED;
        }
    }

    static final String ADDED_LINE = "added";
    static final String REMOVED_LINE = "removed";
    /** A line added inside access the subject already had (the pattern was narrowed): nothing gained. */
    static final String NARROWED = "narrowed";
    /** A line removed whose access a wider line still gives (the pattern was widened): nothing lost. */
    static final String SUBSUMED = "subsumed";

    private AccessDiff() {
    }

    static Result diff(Inventory before, Realms beforeRealms, Inventory after, Realms afterRealms) {
        Map<Key, Access> was = access(beforeRealms);
        Map<Key, Access> is = access(afterRealms);
        List<Change> changes = new ArrayList<>();
        Set<Key> keys = new TreeSet<>(was.keySet());
        keys.addAll(is.keySet());
        for (Key key : keys) {
            Access a = was.get(key);
            Access b = is.get(key);
            Set<String> added = new TreeSet<>(b == null ? Set.of() : b.actions());
            Set<String> removed = new TreeSet<>(a == null ? Set.of() : a.actions());
            if (a != null) {
                added.removeAll(a.actions());
            }
            if (b != null) {
                removed.removeAll(b.actions());
            }
            if (!added.isEmpty()) {
                changes.add(new Change(within(key, added, was) ? NARROWED : ADDED_LINE, key, List.copyOf(added),
                        List.copyOf(b.grants()), ""));
            }
            if (!removed.isEmpty()) {
                changes.add(new Change(within(key, removed, is) ? SUBSUMED : REMOVED_LINE, key, List.copyOf(removed),
                        List.copyOf(a.grants()), ""));
            }
        }
        List<Change> annotated = new ArrayList<>();
        for (Change c : changes) {
            annotated.add(new Change(c.change(), c.key(), c.actions(), c.grants(), note(c, changes)));
        }
        List<NotEnforced> notEnforced = new ArrayList<>();
        Set<String> wasUnenforced = new TreeSet<>();
        for (Realms.Realm r : beforeRealms.all()) {
            r.unenforced().forEach(u -> wasUnenforced.add(r.key() + " " + u.grant().id() + " " + u.message()));
        }
        for (Realms.Realm r : afterRealms.all()) {
            for (Explainer.Unenforced u : r.unenforced()) {
                if (!wasUnenforced.contains(r.key() + " " + u.grant().id() + " " + u.message())) {
                    notEnforced.add(new NotEnforced(u.grant().id(), r.key(), u.reason(), u.message()));
                }
            }
        }
        Map<String, String> specsBefore = specs(before);
        Map<String, String> specsAfter = specs(after);
        List<String> grantsAdded = new ArrayList<>();
        List<String> grantsEdited = new ArrayList<>();
        specsAfter.forEach((id, spec) -> {
            if (!specsBefore.containsKey(id)) {
                grantsAdded.add(id);
            } else if (!specsBefore.get(id).equals(spec)) {
                grantsEdited.add(id);
            }
        });
        List<String> grantsRemoved = specsBefore.keySet().stream().filter(id -> !specsAfter.containsKey(id)).toList();
        return new Result(annotated, notEnforced, grantsAdded, grantsRemoved, grantsEdited);
    }

    /**
     * Whether {@code actions} on {@code key} were already given (or are still given) by another line of the
     * same subject, registry and validity whose pattern covers it: then the line is a reshaping, not access
     * gained or lost.
     */
    private static boolean within(Key key, Set<String> actions, Map<Key, Access> other) {
        if (key.pattern().startsWith("(")) {
            return false;
        }
        for (Map.Entry<Key, Access> e : other.entrySet()) {
            Key k = e.getKey();
            if (k.registry().equals(key.registry()) && k.subject().equals(key.subject())
                    && k.validity().equals(key.validity()) && !k.pattern().startsWith("(")
                    && (e.getValue().actions().contains("*") || e.getValue().actions().containsAll(actions))
                    && PatternCoverage.covers(k.pattern(), key.pattern())) {
                return true;
            }
        }
        return false;
    }

    /** Widened or narrowed: another change of the same subject on the same registry whose pattern covers or is covered. */
    private static String note(Change c, List<Change> all) {
        for (Change o : all) {
            if (o == c || side(o) == side(c) || !o.key().registry().equals(c.key().registry())
                    || !o.key().subject().equals(c.key().subject()) || o.key().pattern().equals(c.key().pattern())
                    || o.key().pattern().startsWith("(") || c.key().pattern().startsWith("(")) {
                continue;
            }
            boolean covers = PatternCoverage.covers(c.key().pattern(), o.key().pattern());
            boolean covered = PatternCoverage.covers(o.key().pattern(), c.key().pattern());
            if (side(c) && covers) {
                return "widens " + o.key().pattern();
            }
            if (side(c) && covered) {
                return "narrows " + o.key().pattern() + " (no access gained)";
            }
            if (!side(c) && covered) {
                return "replaced by wider " + o.key().pattern() + " (no access lost)";
            }
            if (!side(c) && covers) {
                return "replaced by narrower " + o.key().pattern();
            }
        }
        return "";
    }

    /** True for a line that is in the after state (added or narrowed), false for one of the before state. */
    private static boolean side(Change c) {
        return c.change().equals(ADDED_LINE) || c.change().equals(NARROWED);
    }

    private static Map<Key, Access> access(Realms realms) {
        Map<Key, Access> out = new TreeMap<>();
        for (Realms.Realm realm : realms.all()) {
            for (Grant grant : realm.policy().grants()) {
                String validity = validity(grant);
                Set<String> actions = new TreeSet<>(grant.actions());
                actions.retainAll(Set.of("pull", "push", "delete", "*"));
                for (Subject subject : grant.subjects()) {
                    String who = Explainer.describe(subject);
                    if (!actions.isEmpty()) {
                        for (String pattern : grant.repositoryPatterns()) {
                            if (Policy.patternProblem(pattern).isEmpty()) {
                                add(out, new Key(realm.key(), who, pattern, validity), actions, grant.id());
                            }
                        }
                    }
                    if (grant.catalog()) {
                        add(out, new Key(realm.key(), who, "(catalog)", validity), Set.of("list"), grant.id());
                    }
                }
            }
        }
        return out;
    }

    private static void add(Map<Key, Access> out, Key key, Set<String> actions, String grant) {
        Access access = out.computeIfAbsent(key, k -> new Access(new TreeSet<>(), new TreeSet<>()));
        access.actions().addAll(actions);
        access.grants().add(grant);
    }

    private static String validity(Grant grant) {
        if (grant.validFrom() == null && grant.validUntil() == null) {
            return "";
        }
        return (grant.validFrom() == null ? "" : "from " + grant.validFrom() + " ")
                + (grant.validUntil() == null ? "" : "until " + grant.validUntil());
    }

    private static Map<String, String> specs(Inventory inventory) {
        KubernetesSerialization json = new KubernetesSerialization();
        Map<String, String> out = new TreeMap<>();
        for (RepositoryAccess grant : inventory.grants()) {
            out.put(grant.getMetadata().getNamespace() + "/" + grant.getMetadata().getName(),
                    Objects.toString(json.asJson(grant.getSpec())));
        }
        return out;
    }

    static String markdown(Result r) {
        StringBuilder out = new StringBuilder("### Registry access changes\n\n");
        if (r.changes().isEmpty()) {
            out.append("No access is added or removed.\n");
        } else {
            out.append(count(r, ADDED_LINE)).append(" added, ").append(count(r, REMOVED_LINE)).append(" removed");
            long reshaped = count(r, NARROWED) + count(r, SUBSUMED);
            out.append(reshaped == 0 ? ".\n\n" : "; " + reshaped + " lines reworded without gaining or losing access.\n\n");
            out.append("| Change | Registry | Subject | Repositories | Actions | Valid | Granted by | Note |\n");
            out.append("|---|---|---|---|---|---|---|---|\n");
            for (Change c : r.changes()) {
                out.append("| ").append(c.change().equals(ADDED_LINE) ? "**added**" : c.change()).append(" | ")
                        .append(cell(c.key().registry())).append(" | ").append(cell(c.key().subject())).append(" | `")
                        .append(c.key().pattern().replace("|", "\\|")).append("` | ").append(String.join(", ", c.actions()))
                        .append(" | ").append(cell(c.key().validity().isEmpty() ? "always" : c.key().validity()))
                        .append(" | ").append(cell(String.join(", ", c.grants()))).append(" | ").append(cell(c.note()))
                        .append(" |\n");
            }
        }
        if (!r.notEnforced().isEmpty()) {
            out.append("\n#### Grants the operator will not enforce\n\n| Grant | Registry | Reason | Why |\n|---|---|---|---|\n");
            for (NotEnforced n : r.notEnforced()) {
                out.append("| ").append(cell(n.grant())).append(" | ").append(cell(n.registry())).append(" | ")
                        .append(cell(n.reason())).append(" | ").append(cell(n.message())).append(" |\n");
            }
        }
        if (!r.grantsAdded().isEmpty() || !r.grantsRemoved().isEmpty() || !r.grantsEdited().isEmpty()) {
            out.append("\n#### RepositoryAccess objects\n\n");
            r.grantsAdded().forEach(g -> out.append("- new: `").append(g).append("`\n"));
            r.grantsRemoved().forEach(g -> out.append("- deleted: `").append(g).append("`\n"));
            r.grantsEdited().forEach(g -> out.append("- edited: `").append(g).append("`\n"));
        }
        return out.toString();
    }

    private static long count(Result r, String change) {
        return r.changes().stream().filter(c -> c.change().equals(change)).count();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String text(Result r) {
        StringBuilder out = new StringBuilder();
        if (r.changes().isEmpty()) {
            out.append("no access added or removed\n");
        }
        for (Change c : r.changes()) {
            out.append(switch (c.change()) {
                case ADDED_LINE -> "+ ";
                case REMOVED_LINE -> "- ";
                default -> "~ ";
            }).append(c.key().registry()).append(' ')
                    .append(c.key().subject()).append(' ').append(c.key().pattern()).append(' ')
                    .append(String.join(",", c.actions()));
            if (!c.key().validity().isEmpty()) {
                out.append(" [").append(c.key().validity()).append(']');
            }
            out.append(" (").append(String.join(", ", c.grants())).append(')');
            if (!c.note().isEmpty()) {
                out.append(": ").append(c.note());
            }
            out.append('\n');
        }
        for (NotEnforced n : r.notEnforced()) {
            out.append("! ").append(n.grant()).append(" is not enforced by ").append(n.registry()).append(": ")
                    .append(n.reason()).append(": ").append(n.message()).append('\n');
        }
        return out.toString();
    }

    static Map<String, Object> json(Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String change : List.of(ADDED_LINE, REMOVED_LINE, NARROWED, SUBSUMED)) {
            out.put(change, r.changes().stream().filter(c -> c.change().equals(change)).map(AccessDiff::json).toList());
        }
        out.put("notEnforced", r.notEnforced().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("grant", n.grant());
            m.put("registry", n.registry());
            m.put("reason", n.reason());
            m.put("message", n.message());
            return m;
        }).toList());
        Map<String, Object> grants = new LinkedHashMap<>();
        grants.put("new", r.grantsAdded());
        grants.put("deleted", r.grantsRemoved());
        grants.put("edited", r.grantsEdited());
        out.put("repositoryAccesses", grants);
        return out;
    }

    private static Map<String, Object> json(Change c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registry", c.key().registry());
        m.put("subject", c.key().subject());
        m.put("repositories", c.key().pattern());
        m.put("actions", c.actions());
        m.put("validity", c.key().validity());
        m.put("grants", c.grants());
        m.put("note", c.note());
        return m;
    }
}
