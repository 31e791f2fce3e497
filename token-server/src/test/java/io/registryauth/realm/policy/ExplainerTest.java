package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Explainer.Explanation;
import io.registryauth.realm.policy.Explainer.Reason;
import io.registryauth.realm.policy.Explainer.Verdict;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every reason the explainer gives, each on a case where the realm's answer is known. */
class ExplainerTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Identity ALICE = new Identity("alice", Set.of("team-a"), "htpasswd", SubjectKind.USER);
    private static final Identity ROBOT = new Identity("robot$ns$g", Set.of(), "robot", SubjectKind.ROBOT);

    private static ResourceScope repo(String name, String... actions) {
        return new ResourceScope("repository", null, name, Set.of(actions));
    }

    private static Grant grant(String id, Subject subject, String pattern, String... actions) {
        return new Grant(id, List.of(subject), List.of(pattern), Set.of(actions), false);
    }

    private static Verdict verdict(Explanation e, String id) {
        return java.util.stream.Stream.concat(e.deciding().stream(), e.others().stream())
                .filter(v -> v.grant().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void grantedNamesTheDecidingGrantsAndTheirActions() {
        Policy policy = Policy.compile(List.of(
                grant("ns/pull", Subject.group("team-a"), "team-a/**", "pull"),
                grant("ns/push", Subject.user("alice"), "team-a/app", "push"),
                grant("ns/other", Subject.user("bob"), "team-a/**", "*")), NOW);
        Explanation e = Explainer.explain(policy, ALICE, repo("team-a/app", "pull", "push"), NOW);
        assertThat(e.allowed()).isTrue();
        assertThat(e.granted()).containsExactlyInAnyOrder("pull", "push");
        assertThat(e.deciding()).extracting(v -> v.grant().id()).containsExactlyInAnyOrder("ns/pull", "ns/push");
        assertThat(verdict(e, "ns/pull").actions()).containsExactly("pull");
        assertThat(verdict(e, "ns/other").reason()).isEqualTo(Reason.NO_MATCHING_SUBJECT);
        assertThat(verdict(e, "ns/other").detail()).contains("User bob").contains("user alice");
    }

    @Test
    void noMatchingSubjectFollowsTheRealmsOwnRules() {
        Policy policy = Policy.compile(List.of(
                grant("ns/sourced", Subject.user("alice").from("oidc:corp"), "team-a/**", "pull"),
                grant("ns/system", Subject.group("system:authenticated"), "team-a/**", "pull"),
                grant("ns/anyone", Subject.anonymous(), "team-a/**", "pull")), NOW);
        Explanation e = Explainer.explain(policy, new Identity("alice", Set.of("system:authenticated"), "htpasswd",
                SubjectKind.USER), repo("team-a/app", "pull"), NOW);
        // alice from htpasswd is not the sourced subject; a system: group counts for service accounts only.
        assertThat(verdict(e, "ns/sourced").reason()).isEqualTo(Reason.NO_MATCHING_SUBJECT);
        assertThat(verdict(e, "ns/system").reason()).isEqualTo(Reason.NO_MATCHING_SUBJECT);
        assertThat(verdict(e, "ns/anyone").reason()).isEqualTo(Reason.GRANTED);

        // A robot is matched only by its own grant, whatever Anonymous grants say.
        Explanation robot = Explainer.explain(policy, ROBOT, repo("team-a/app", "pull"), NOW);
        assertThat(robot.allowed()).isFalse();
        assertThat(verdict(robot, "ns/anyone").reason()).isEqualTo(Reason.NO_MATCHING_SUBJECT);
        assertThat(verdict(robot, "ns/anyone").detail()).contains("robot");
    }

    @Test
    void patternNotMatchedSaysWhichPatternsAndWhichWereIgnored() {
        Policy policy = Policy.compile(List.of(
                new Grant("ns/p", List.of(Subject.user("alice")), List.of("team-b/*", "Team-A/**"), Set.of("*"), false),
                grant("ns/mine", Subject.user("alice"), "${user}/**", "*")), NOW);
        Explanation e = Explainer.explain(policy, ALICE, repo("team-a/app", "pull"), NOW);
        assertThat(e.allowed()).isFalse();
        Verdict p = verdict(e, "ns/p");
        assertThat(p.reason()).isEqualTo(Reason.PATTERN_NOT_MATCHED);
        assertThat(p.detail()).contains("team-b/*").contains("ignored").contains("uppercase");
        assertThat(verdict(e, "ns/mine").reason()).isEqualTo(Reason.PATTERN_NOT_MATCHED);
        assertThat(Explainer.explain(policy, ALICE, repo("alice/tool", "push"), NOW).deciding())
                .extracting(v -> v.grant().id()).containsExactly("ns/mine");
    }

    @Test
    void catalogWithoutCatalogAccessIsAPatternMiss() {
        Policy policy = Policy.compile(List.of(grant("ns/p", Subject.user("alice"), "**", "*")), NOW);
        Explanation e = Explainer.explain(policy, ALICE, new ResourceScope("registry", null, "catalog", Set.of("*")),
                NOW);
        assertThat(e.allowed()).isFalse();
        assertThat(verdict(e, "ns/p").reason()).isEqualTo(Reason.PATTERN_NOT_MATCHED);
        assertThat(verdict(e, "ns/p").detail()).contains("catalog");
    }

    @Test
    void actionNotGrantedSaysWhatIsHeld() {
        Policy policy = Policy.compile(List.of(grant("ns/pull", Subject.group("team-a"), "team-a/**", "pull")), NOW);
        Explanation e = Explainer.explain(policy, ALICE, repo("team-a/app", "push"), NOW);
        assertThat(e.allowed()).isFalse();
        assertThat(e.granted()).isEmpty();
        Verdict v = verdict(e, "ns/pull");
        assertThat(v.reason()).isEqualTo(Reason.ACTION_NOT_GRANTED);
        assertThat(v.actions()).containsExactly("pull");
        assertThat(e.missing()).containsExactly("push");
    }

    @Test
    void pendingAndExpiredGrantsSayWhen() {
        Instant start = NOW.plusSeconds(3600);
        Instant end = NOW.minusSeconds(1);
        Policy policy = Policy.compile(List.of(
                grant("ns/later", Subject.user("alice"), "team-a/**", "push").validBetween(start, null),
                grant("ns/over", Subject.user("alice"), "team-a/**", "push").validBetween(null, end)), NOW);
        Explanation e = Explainer.explain(policy, ALICE, repo("team-a/app", "push"), NOW);
        assertThat(e.allowed()).isFalse();
        assertThat(verdict(e, "ns/later").reason()).isEqualTo(Reason.PENDING);
        assertThat(verdict(e, "ns/later").detail()).contains(start.toString());
        assertThat(verdict(e, "ns/over").reason()).isEqualTo(Reason.EXPIRED);
        assertThat(verdict(e, "ns/over").detail()).contains(end.toString());
        // The same policy asked at another instant moves with it.
        assertThat(Explainer.explain(policy, ALICE, repo("team-a/app", "push"), start).deciding())
                .extracting(v -> v.grant().id()).containsExactly("ns/later");
    }

    @Test
    void unenforcedGrantsSayWhyTheyAreNot() {
        Policy policy = Policy.compile(List.of(), NOW);
        Grant outside = grant("tenant/wide", Subject.user("alice"), "**", "push");
        Explanation e = Explainer.explain(policy, List.of(new Explainer.Unenforced(outside, "OutsideTenancy",
                "repository pattern \"**\" reaches beyond \"tenant/**\"")), ALICE, repo("team-a/app", "push"), NOW);
        assertThat(e.allowed()).isFalse();
        Verdict v = verdict(e, "tenant/wide");
        assertThat(v.reason()).isEqualTo(Reason.NOT_ENFORCED);
        assertThat(v.detail()).startsWith("OutsideTenancy: ");
        assertThat(v.actions()).containsExactly("push");
    }

    @Test
    void auditCodesForEachKindOfRefusal() {
        Policy policy = Policy.compile(List.of(
                grant("ns/pull", Subject.user("alice"), "team-a/**", "pull"),
                grant("ns/over", Subject.user("alice"), "old/**", "pull").validBetween(null, NOW),
                grant("ns/later", Subject.user("alice"), "new/**", "pull").validBetween(NOW.plusSeconds(5), null)),
                NOW);
        assertThat(Explainer.reasonCode(policy, ALICE, repo("team-a/app", "pull", "push"), repo("team-a/app", "pull")))
                .isEqualTo("action-not-granted");
        assertThat(Explainer.reasonCode(policy, ALICE, repo("team-b/app", "pull"), null)).isEqualTo("no-grant");
        assertThat(Explainer.reasonCode(policy, ALICE, repo("old/app", "pull"), null)).isEqualTo("expired");
        assertThat(Explainer.reasonCode(policy, ALICE, repo("new/app", "pull"), null)).isEqualTo("pending");
        assertThat(Explainer.reasonCode(policy, Identity.ANONYMOUS, repo("old/app", "pull"), null))
                .isEqualTo("no-grant");
    }

    @Test
    void aRequestedStarIsMissingUnlessEveryActionIsHeld() {
        assertThat(Explainer.missing(Set.of("*"), Set.of("pull", "push"))).containsExactly("*");
        assertThat(Explainer.missing(Set.of("*"), Set.of("pull", "push", "delete"))).isEmpty();
        assertThat(Explainer.missing(Set.of("pull", "delete"), Set.of("*"))).isEmpty();
    }
}
