package io.registryauth.cli.review;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Explainer;
import io.registryauth.realm.policy.Explainer.Reason;
import io.registryauth.realm.policy.Explainer.Unenforced;
import io.registryauth.realm.policy.Explainer.Verdict;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.policy.WorkloadMatch;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code who-can}: every subject of every grant that gives the action on the repository, found by asking
 * the realm's policy with a caller that subject names (a group's member, a service account, ...). A
 * {@code ${user}} pattern gives the repository to one user only: that user is named.
 */
final class WhoCan {
    /** One subject's access: through which grant, which actions, and a note (only-user, until, why not). */
    record Row(String subject, String grant, Reason reason, List<String> actions, String note) {
    }

    private WhoCan() {
    }

    static List<Row> rows(Realms.Realm realm, ResourceScope scope, Instant now) {
        List<Row> rows = new ArrayList<>();
        for (Grant grant : realm.policy().grants()) {
            rows.addAll(forGrant(grant, scope, now, null));
        }
        for (Unenforced u : realm.unenforced()) {
            rows.addAll(forGrant(u.grant(), scope, now, u));
        }
        rows.sort(java.util.Comparator.comparing((Row r) -> r.reason() != Reason.GRANTED)
                .thenComparing(Row::subject).thenComparing(Row::grant));
        return rows;
    }

    private static List<Row> forGrant(Grant grant, ResourceScope scope, Instant now, Unenforced unenforced) {
        List<Row> rows = new ArrayList<>();
        for (Subject subject : grant.subjects()) {
            if (subject.kind() == SubjectKind.WORKLOAD && subject.workload() != null) {
                Row row = workloadRow(grant, subject, scope, now, unenforced);
                if (row != null) {
                    rows.add(row);
                }
                continue;
            }
            Grant one = new Grant(grant.id(), List.of(subject), grant.repositoryPatterns(), grant.actions(),
                    grant.catalog(), grant.validFrom(), grant.validUntil());
            Verdict verdict = judge(one, subject, null, scope, now, unenforced);
            String onlyUser = null;
            if (verdict == null && (subject.kind() == SubjectKind.GROUP
                    || subject.kind() == SubjectKind.AUTHENTICATED)) {
                // A ${user} pattern: the one user whose name is a segment of this repository.
                for (String segment : scope.name().split("/")) {
                    String name = segment.replace("--", ":");
                    verdict = judge(one, subject, name, scope, now, unenforced);
                    if (verdict != null) {
                        onlyUser = name;
                        break;
                    }
                }
            }
            if (verdict == null) {
                continue;
            }
            String note = verdict.reason() == Reason.GRANTED ? (grant.validUntil() == null ? "" : verdict.detail())
                    : CanI.label(verdict.reason()) + ": " + verdict.detail();
            if (onlyUser != null) {
                note = ("only the member named " + onlyUser + (note.isEmpty() ? "" : "; " + note));
            }
            rows.add(new Row(Explainer.describe(subject), grant.id(), verdict.reason(),
                    List.copyOf(new TreeSet<>(verdict.actions())), note));
        }
        return rows;
    }

    private static final Pattern CLAIM_TEMPLATE = Pattern.compile("\\$\\{claims\\.([A-Za-z_][A-Za-z0-9_]*)}");

    /**
     * A Workload subject: which jobs may. The caller asked about is a job with the subject's exact claims, a
     * value each glob accepts, and, for a {@code ${claims.<name>}} pattern, the part of the repository
     * that claim would have to be; a CEL condition cannot be solved for, so the grant is judged without it
     * and the row says the job must also meet it.
     */
    private static Row workloadRow(Grant grant, Subject subject, ResourceScope scope, Instant now,
                                   Unenforced unenforced) {
        WorkloadMatch match = subject.workload();
        Subject relaxed = Subject.workload(new WorkloadMatch(match.provider(), match.claims(), match.claimPatterns(),
                null));
        Grant one = new Grant(grant.id(), List.of(relaxed), grant.repositoryPatterns(), grant.actions(),
                grant.catalog(), grant.validFrom(), grant.validUntil());
        Map<String, Object> claims = new HashMap<>(match.claims());
        // '*' and '**' each accept "x": a value every glob of the subject accepts.
        match.claimPatterns().forEach((claim, glob) -> claims.put(claim, glob.replace("**", "x").replace("*", "x")));
        Set<String> templated = new LinkedHashSet<>();
        for (String pattern : grant.repositoryPatterns()) {
            Matcher m = CLAIM_TEMPLATE.matcher(pattern);
            while (m.find()) {
                if (!match.claims().containsKey(m.group(1))) {
                    templated.add(m.group(1));
                }
            }
        }
        List<String> candidates = new ArrayList<>();
        if (templated.isEmpty()) {
            candidates.add(null);
        } else {
            String[] segments = scope.name().split("/");
            for (int i = 1; i <= segments.length; i++) {
                candidates.add(String.join("/", java.util.Arrays.copyOf(segments, i)));
            }
        }
        Verdict found = null;
        List<String> values = new ArrayList<>();
        for (String value : candidates) {
            Map<String, Object> job = new HashMap<>(claims);
            templated.forEach(claim -> job.put(claim, value));
            Identity who = new Identity(match.provider() + ":who-can", Set.of(),
                    WorkloadMatch.SOURCE_PREFIX + match.provider(), SubjectKind.WORKLOAD, job);
            Verdict v = Explainer.judge(one, who, scope, now, unenforced == null ? null
                    : new Unenforced(one, unenforced.reason(), unenforced.message()));
            if (v.reason() == Reason.GRANTED || v.reason() == Reason.PENDING || v.reason() == Reason.EXPIRED
                    || v.reason() == Reason.NOT_ENFORCED) {
                found = found == null ? v : found;
                values.add(value);
            }
        }
        if (found == null) {
            return null;
        }
        List<String> notes = new ArrayList<>();
        if (found.reason() != Reason.GRANTED) {
            notes.add(CanI.label(found.reason()) + ": " + found.detail());
        } else if (grant.validUntil() != null) {
            notes.add(found.detail());
        }
        for (String claim : templated) {
            notes.add("jobs whose " + claim + " is " + (values.size() == 1 ? values.get(0)
                    : String.join(", ", values.subList(0, values.size() - 1)) + " or " + values.get(values.size() - 1)));
        }
        if (match.condition() != null) {
            notes.add("if the job also meets: " + match.condition());
        }
        return new Row(Explainer.describe(subject), grant.id(), found.reason(),
                List.copyOf(new TreeSet<>(found.actions())), String.join("; ", notes));
    }

    /** The verdict when the subject would get something asked for (granted or not in force), else null. */
    private static Verdict judge(Grant one, Subject subject, String userName, ResourceScope scope, Instant now,
                                 Unenforced unenforced) {
        Identity who = Callers.representative(subject, userName);
        if (who == null) {
            return null;
        }
        Verdict v = Explainer.judge(one, who, scope, now, unenforced == null ? null
                : new Unenforced(one, unenforced.reason(), unenforced.message()));
        boolean gives = v.reason() == Reason.GRANTED || v.reason() == Reason.PENDING || v.reason() == Reason.EXPIRED
                || v.reason() == Reason.NOT_ENFORCED;
        return gives ? v : null;
    }

    static String text(Realms.Realm realm, ResourceScope scope, List<Row> rows) {
        StringBuilder out = new StringBuilder("who may ").append(String.join(",", new TreeSet<>(scope.actions())))
                .append(' ').append(scope.name()).append(" (registry ").append(realm.key()).append("):\n");
        List<Row> granted = rows.stream().filter(r -> r.reason() == Reason.GRANTED).toList();
        List<Row> not = rows.stream().filter(r -> r.reason() != Reason.GRANTED).toList();
        if (granted.isEmpty()) {
            out.append("  nobody\n");
        }
        table(out, granted);
        if (!not.isEmpty()) {
            out.append("would, but the grant does not count now:\n");
            table(out, not);
        }
        return out.toString();
    }

    private static void table(StringBuilder out, List<Row> rows) {
        int subject = "SUBJECT".length();
        int grant = "GRANT".length();
        for (Row r : rows) {
            subject = Math.max(subject, r.subject().length());
            grant = Math.max(grant, r.grant().length());
        }
        if (rows.isEmpty()) {
            return;
        }
        String format = "  %-" + subject + "s  %-" + grant + "s  %-12s %s%n";
        out.append(String.format(format, "SUBJECT", "GRANT", "ACTIONS", "NOTE"));
        for (Row r : rows) {
            out.append(String.format(format, r.subject(), r.grant(), String.join(",", r.actions()), r.note()));
        }
    }

    static Map<String, Object> json(Realms.Realm realm, ResourceScope scope, List<Row> rows) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("registry", realm.key());
        out.put("repository", scope.name());
        out.put("requested", new TreeSet<>(scope.actions()));
        out.put("subjects", rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subject", r.subject());
            m.put("grant", r.grant());
            m.put("reason", r.reason().code);
            m.put("actions", r.actions());
            m.put("note", r.note());
            return m;
        }).toList());
        return out;
    }
}
