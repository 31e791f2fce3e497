package io.registryauth.cli.review;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Explainer;
import io.registryauth.realm.policy.Explainer.Explanation;
import io.registryauth.realm.policy.Explainer.Reason;
import io.registryauth.realm.policy.Explainer.Verdict;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code can-i}: the realm's answer for one caller and scope, and the grants behind it. */
final class CanI {
    private static final List<Reason> ORDER = List.of(Reason.NOT_ENFORCED, Reason.EXPIRED, Reason.PENDING,
            Reason.ACTION_NOT_GRANTED, Reason.PATTERN_NOT_MATCHED, Reason.NO_MATCHING_SUBJECT);

    private CanI() {
    }

    static Explanation explain(Realms.Realm realm, Identity who, ResourceScope scope, Instant now) {
        Explanation e = Explainer.explain(realm.policy(), realm.unenforced(), who, scope, now);
        List<Verdict> others = new ArrayList<>(e.others());
        others.sort(Comparator.comparing((Verdict v) -> ORDER.indexOf(v.reason())).thenComparing(v -> v.grant().id()));
        return new Explanation(e.requested(), e.granted(), e.allowed(), e.deciding(), others);
    }

    /** The subjects of {@code grant} that name the caller, each judged alone by the realm's policy. */
    static List<String> matchingSubjects(Grant grant, Identity who, ResourceScope scope, Instant now) {
        List<String> names = new ArrayList<>();
        for (Subject s : grant.subjects()) {
            Grant one = new Grant(grant.id(), List.of(s), grant.repositoryPatterns(), grant.actions(), grant.catalog());
            if (Explainer.judge(one, who, scope, now, null).reason() == Reason.GRANTED) {
                names.add(Explainer.describe(s));
            }
        }
        return names;
    }

    static String text(Realms.Realm realm, Identity who, Explanation e, boolean all, Instant now) {
        StringBuilder out = new StringBuilder();
        String caller = Explainer.describe(who);
        String asked = String.join(",", new TreeSet<>(e.requested().actions())) + " " + e.requested().name();
        if (e.allowed()) {
            out.append("yes: ").append(caller).append(" may ").append(asked).append(" (registry ")
                    .append(realm.key()).append(")\n");
        } else {
            out.append("no: ").append(caller).append(" may not ").append(asked).append(" (registry ")
                    .append(realm.key()).append(")");
            out.append(e.granted().isEmpty() ? "; nothing is granted there\n"
                    : "; granted: " + String.join(",", new TreeSet<>(e.granted())) + ", missing: "
                            + String.join(",", e.missing()) + "\n");
        }
        for (Verdict v : e.deciding()) {
            out.append("  granted by ").append(v.grant().id()).append(": ")
                    .append(String.join(",", new TreeSet<>(v.actions()))).append(" through ")
                    .append(String.join(", ", matchingSubjects(v.grant(), who, e.requested(), now)))
                    .append(" (").append(v.detail()).append(")\n");
        }
        int hidden = 0;
        for (Verdict v : e.others()) {
            if (!all && v.reason() == Reason.NO_MATCHING_SUBJECT) {
                hidden++;
                continue;
            }
            if (e.allowed() && !all) {
                continue;
            }
            out.append("  ").append(v.grant().id()).append(": ").append(label(v.reason()));
            if (!v.actions().isEmpty() && v.reason() != Reason.ACTION_NOT_GRANTED) {
                out.append(" (would give ").append(String.join(",", new TreeSet<>(v.actions()))).append(")");
            }
            out.append(": ").append(v.detail()).append('\n');
        }
        if (hidden > 0 && !e.allowed()) {
            out.append("  ").append(hidden).append(hidden == 1 ? " other grant names" : " other grants name")
                    .append(" other subjects (--all lists them)\n");
        }
        return out.toString();
    }

    static String label(Reason reason) {
        return switch (reason) {
            case GRANTED -> "granted";
            case NO_MATCHING_SUBJECT -> "not for this caller";
            case PATTERN_NOT_MATCHED -> "repository not matched";
            case ACTION_NOT_GRANTED -> "action not granted";
            case PENDING -> "not yet valid";
            case EXPIRED -> "expired";
            case NOT_ENFORCED -> "not enforced";
        };
    }

    static Map<String, Object> json(Realms.Realm realm, Identity who, Explanation e, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("allowed", e.allowed());
        out.put("registry", realm.key());
        out.put("caller", Explainer.describe(who));
        out.put("repository", e.requested().name());
        out.put("requested", new TreeSet<>(e.requested().actions()));
        out.put("granted", new TreeSet<>(e.granted()));
        out.put("missing", e.missing());
        List<Map<String, Object>> deciding = new ArrayList<>();
        for (Verdict v : e.deciding()) {
            Map<String, Object> m = verdict(v);
            m.put("subjects", matchingSubjects(v.grant(), who, e.requested(), now));
            deciding.add(m);
        }
        out.put("deciding", deciding);
        out.put("others", e.others().stream().map(CanI::verdict).toList());
        return out;
    }

    private static Map<String, Object> verdict(Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("grant", v.grant().id());
        m.put("reason", v.reason().code);
        m.put("actions", new TreeSet<>(v.actions()));
        m.put("detail", v.detail());
        if (v.grant().validFrom() != null) {
            m.put("validFrom", v.grant().validFrom().toString());
        }
        if (v.grant().validUntil() != null) {
            m.put("validUntil", v.grant().validUntil().toString());
        }
        return m;
    }
}
