package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.scope.ScopeParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** WORKLOAD subjects: claim conditions, globs, CEL, ${claims.x} templates, and what they never match. */
class WorkloadPolicyTest {
    static final String GITHUB = "github";

    /** A GitHub Actions job as its ID token describes it (claims as the platform documents them). */
    static Map<String, Object> githubJob(String repository, String ownerId, String repositoryId, String ref) {
        Map<String, Object> claims = new HashMap<>();
        String owner = repository.substring(0, repository.indexOf('/'));
        claims.put("iss", "https://token.actions.githubusercontent.com");
        claims.put("sub", "repo:" + repository + ":ref:" + ref);
        claims.put("repository", repository);
        claims.put("repository_owner", owner);
        claims.put("repository_owner_id", ownerId);
        claims.put("repository_id", repositoryId);
        claims.put("ref", ref);
        claims.put("ref_type", ref.startsWith("refs/tags/") ? "tag" : "branch");
        claims.put("ref_protected", "true");
        claims.put("event_name", "push");
        claims.put("workflow_ref", repository + "/.github/workflows/build.yml@" + ref);
        claims.put("run_id", "9876543210");
        claims.put("sha", "0123456789abcdef0123456789abcdef01234567");
        return claims;
    }

    static Identity workload(String provider, Map<String, Object> claims) {
        return new Identity(provider + ":" + claims.get("sub"), Set.of(), WorkloadMatch.SOURCE_PREFIX + provider,
                SubjectKind.WORKLOAD, claims);
    }

    static Grant grant(String id, WorkloadMatch match, String pattern, String... actions) {
        return new Grant(id, List.of(Subject.workload(match)), List.of(pattern), Set.of(actions), false);
    }

    static WorkloadMatch match(Map<String, String> claims, Map<String, String> patterns, String condition) {
        return new WorkloadMatch(GITHUB, claims, patterns, condition);
    }

    static List<String> granted(Policy policy, Identity who, String... scopes) {
        List<String> out = new ArrayList<>();
        for (ResourceScope s : policy.authorize(who, ScopeParser.parse(List.of(scopes)))) {
            out.add(s.toScopeString());
        }
        return out;
    }

    private final Policy mainBranchPushes = Policy.compile(List.of(grant("ci/app",
            match(Map.of("repository_owner_id", "1001", "repository", "acme/app"),
                    Map.of("ref", "refs/heads/main"), null),
            "acme/app/**", "pull", "push")));

    @Test
    void mainBranchJobOfThePinnedRepositoryPushes() {
        Identity job = workload(GITHUB, githubJob("acme/app", "1001", "5001", "refs/heads/main"));
        assertThat(granted(mainBranchPushes, job, "repository:acme/app/api:pull,push"))
                .containsExactly("repository:acme/app/api:pull,push");
    }

    @Test
    void otherBranchRepositoryOwnerOrProviderGetsNothing() {
        assertThat(granted(mainBranchPushes, workload(GITHUB, githubJob("acme/app", "1001", "5001",
                "refs/heads/feature")), "repository:acme/app/api:push")).isEmpty();
        assertThat(granted(mainBranchPushes, workload(GITHUB, githubJob("acme/other", "1001", "5002",
                "refs/heads/main")), "repository:acme/app/api:push")).isEmpty();
        // An owner renamed or a look-alike organisation: the numeric owner id decides.
        assertThat(granted(mainBranchPushes, workload(GITHUB, githubJob("acme/app", "6666", "5001",
                "refs/heads/main")), "repository:acme/app/api:push")).isEmpty();
        assertThat(granted(mainBranchPushes, workload("gitlab", githubJob("acme/app", "1001", "5001",
                "refs/heads/main")), "repository:acme/app/api:push")).isEmpty();
    }

    @Test
    void workloadsAreNeverUsersGroupsOrAuthenticatedButAnonymousGrantsApply() {
        Map<String, Object> claims = githubJob("acme/app", "1001", "5001", "refs/heads/main");
        Identity job = workload(GITHUB, claims);
        Policy policy = Policy.compile(List.of(
                new Grant("any", List.of(Subject.authenticated()), List.of("internal/**"), Set.of("pull"), false),
                new Grant("user", List.of(Subject.user(job.name())), List.of("user/**"), Set.of("pull"), false),
                new Grant("group", List.of(Subject.group("github")), List.of("group/**"), Set.of("pull"), false),
                new Grant("home", List.of(Subject.authenticated()), List.of("home/${user}/**"), Set.of("pull"), false),
                new Grant("public", List.of(Subject.anonymous()), List.of("public/**"), Set.of("pull"), false)));
        assertThat(granted(policy, job, "repository:internal/x:pull", "repository:user/x:pull",
                "repository:group/x:pull", "repository:public/x:pull")).containsExactly("repository:public/x:pull");
        assertThat(Policy.userVariable(job)).isNull();
        // And a user whose name equals a provider's name gets nothing of a WORKLOAD grant.
        Identity user = new Identity("github", Set.of(), "htpasswd", SubjectKind.USER, claims);
        assertThat(granted(mainBranchPushes, user, "repository:acme/app/api:pull")).isEmpty();
    }

    @Test
    void globsTestOnlyTheirClaimAndStarStaysWithinASegment() {
        Policy policy = Policy.compile(List.of(grant("ci/release",
                match(Map.of("repository_id", "5001"), Map.of("ref", "refs/tags/v*"), null), "acme/app", "push")));
        assertThat(granted(policy, workload(GITHUB, githubJob("acme/app", "1", "5001", "refs/tags/v1.2.3")),
                "repository:acme/app:push")).containsExactly("repository:acme/app:push");
        assertThat(granted(policy, workload(GITHUB, githubJob("acme/app", "1", "5001", "refs/tags/v1/evil")),
                "repository:acme/app:push")).isEmpty();
        assertThat(granted(policy, workload(GITHUB, githubJob("acme/app", "1", "5001", "refs/heads/v1")),
                "repository:acme/app:push")).isEmpty();
    }

    @Test
    void claimsTemplateGivesEachJobItsOwnRepositoriesOnly() {
        Policy policy = Policy.compile(List.of(grant("ci/org",
                match(Map.of("repository_owner_id", "1001"), Map.of("ref", "refs/heads/main"), null),
                "${claims.repository}/**", "pull", "push")));
        Identity app = workload(GITHUB, githubJob("acme/app", "1001", "5001", "refs/heads/main"));
        Identity web = workload(GITHUB, githubJob("Acme/Web", "1001", "5002", "refs/heads/main"));
        assertThat(granted(policy, app, "repository:acme/app/api:push", "repository:acme/web/ui:push"))
                .containsExactly("repository:acme/app/api:push");
        // Claim values are lowercased: registry names are lowercase, the platform's names are not case-sensitive.
        assertThat(granted(policy, web, "repository:acme/app/api:push", "repository:acme/web/ui:push"))
                .containsExactly("repository:acme/web/ui:push");
        // The template matches the whole repository path, never a shorter one inside it.
        assertThat(granted(policy, app, "repository:acme/application/x:push", "repository:acme/app:push")).isEmpty();
    }

    @Test
    void claimValuesThatAreNoValidPathMatchNothing() {
        Policy policy = Policy.compile(List.of(grant("ci/org",
                match(Map.of("repository_owner_id", "1001"), Map.of(), null), "ci/${claims.repository}", "push")));
        for (String evil : List.of("acme/../admin", "acme/*", "acme//x", "acme/x/", "/acme", "acme/a b", "acme/..")) {
            Map<String, Object> claims = githubJob("acme/app", "1001", "5001", "refs/heads/main");
            claims.put("repository", evil);
            assertThat(WorkloadMatch.templateValue(evil)).as(evil).isNull();
            assertThat(granted(policy, workload(GITHUB, claims), "repository:ci/admin:push", "repository:ci/acme/x:push",
                    "repository:ci/acme:push")).as(evil).isEmpty();
        }
        assertThat(WorkloadMatch.templateValue("Acme/App.Web")).isEqualTo("acme/app.web");
        assertThat(WorkloadMatch.templateValue(42L)).isEqualTo("42");
    }

    @Test
    void celConditionMustHoldBesideTheStructuredOnes() {
        Policy policy = Policy.compile(List.of(grant("ci/protected",
                match(Map.of("repository_id", "5001"), Map.of(),
                        "claims.ref_protected == 'true' && claims.event_name != 'pull_request'"),
                "acme/app", "push")));
        Map<String, Object> job = githubJob("acme/app", "1001", "5001", "refs/heads/main");
        assertThat(granted(policy, workload(GITHUB, job), "repository:acme/app:push")).hasSize(1);
        job.put("event_name", "pull_request");
        assertThat(granted(policy, workload(GITHUB, job), "repository:acme/app:push")).isEmpty();
        job.put("event_name", "push");
        job.remove("ref_protected"); // a missing claim is an evaluation error: no match
        assertThat(granted(policy, workload(GITHUB, job), "repository:acme/app:push")).isEmpty();
    }

    @Test
    void celEvaluationIsBoundedAndBadConditionsAreReported() {
        assertThat(WorkloadCondition.problem("claims.size()")).get().asString().contains("does not compile");
        // A condition typed dyn compiles; a non-boolean value at run time is no match.
        assertThat(WorkloadCondition.compile("claims.ref").orElseThrow().test(Map.of("ref", "main"))).isFalse();
        assertThat(WorkloadCondition.problem("claims.ref ==")).get().asString().contains("does not compile");
        assertThat(WorkloadCondition.problem("x".repeat(3000))).get().asString().contains("longer than");
        // A condition that would take very many steps is cut off and counts as false.
        String expensive = "[" + "1,".repeat(60) + "1].all(a, [" + "1,".repeat(60) + "1].all(b, "
                + "[" + "1,".repeat(60) + "1].all(c, a == b)))";
        WorkloadCondition condition = WorkloadCondition.compile(expensive).orElseThrow();
        assertThat(condition.test(Map.of())).isFalse();
        assertThat(WorkloadCondition.compile("claims.run_id.size() > 3").orElseThrow()
                .test(Map.of("run_id", "98765"))).isTrue();
    }

    @Test
    void subjectsThatCannotBeUsedAreReportedAndMatchNobody() {
        assertThat(match(Map.of(), Map.of("ref", "refs/heads/main"), null).problems())
                .anyMatch(p -> p.contains("pins at least one claim"));
        assertThat(match(Map.of("sub", "repo:acme/app:ref:refs/heads/main"), Map.of(), null).problems())
                .anyMatch(p -> p.contains("sub is never matched"));
        assertThat(match(Map.of("repository_id", "5001"), Map.of("sub", "repo:acme/*"), null).problems())
                .anyMatch(p -> p.contains("sub is never matched"));
        assertThat(match(Map.of("repository_id", "5001"), Map.of("repository", "acme/*"), null).problems())
                .anyMatch(p -> p.contains("globs are allowed only on"));
        assertThat(match(Map.of("repository_id", "5001"), Map.of(), "claims.ref +").problems())
                .anyMatch(p -> p.startsWith("condition: does not compile"));
        assertThat(match(Map.of("repository_id", "5001"), Map.of("ref", "refs/heads/*"), "has(claims.ref)").problems())
                .isEmpty();
        // Compiled anyway (the producer reports it), an unpinned subject never matches anything.
        Policy policy = Policy.compile(List.of(grant("bad", match(Map.of(), Map.of("ref", "**"), null), "**", "push")));
        assertThat(granted(policy, workload(GITHUB, githubJob("acme/app", "1", "2", "refs/heads/main")),
                "repository:acme/app:push")).isEmpty();
    }

    @Test
    void anySubjectOfAGrantSufficesAndNumbersCompareAsJsonWritesThem() {
        WorkloadMatch gitlab = new WorkloadMatch("gitlab", Map.of("project_id", "42"), Map.of("ref", "main"), null);
        WorkloadMatch github = match(Map.of("repository_id", "5001"), Map.of(), null);
        Policy policy = Policy.compile(List.of(new Grant("both", List.of(Subject.workload(gitlab), Subject.workload(github)),
                List.of("shared/**"), Set.of("pull"), false)));
        Map<String, Object> gitlabJob = new HashMap<>(Map.of("sub", "project_path:acme/app:ref_type:branch:ref:main",
                "project_id", 42L, "ref", "main", "project_path", "acme/app"));
        assertThat(granted(policy, workload("gitlab", gitlabJob), "repository:shared/x:pull")).hasSize(1);
        assertThat(granted(policy, workload(GITHUB, githubJob("acme/app", "1", "5001", "refs/heads/x")),
                "repository:shared/x:pull")).hasSize(1);
        gitlabJob.put("ref", "feature");
        assertThat(granted(policy, workload("gitlab", gitlabJob), "repository:shared/x:pull")).isEmpty();
    }

    @Test
    void tenThousandGrantsFindTheOneThatMatches() {
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            grants.add(grant("ci/" + i, match(Map.of("repository_owner_id", "1001", "repository_id", Integer.toString(i)),
                    Map.of("ref", "refs/heads/main"), null), "acme/repo-" + i + "/**", "pull", "push"));
        }
        Policy policy = Policy.compile(grants);
        Identity job = workload(GITHUB, githubJob("acme/repo-7777", "1001", "7777", "refs/heads/main"));
        assertThat(granted(policy, job, "repository:acme/repo-7777/x:push", "repository:acme/repo-7778/x:push"))
                .containsExactly("repository:acme/repo-7777/x:push");
    }

    @Test
    void patternsAcceptOnlyWellFormedClaimVariables() {
        assertThat(Policy.patternProblem("${claims.repository}/**")).isEmpty();
        assertThat(Policy.patternProblem("ci/${claims.project_path}")).isEmpty();
        assertThat(Policy.patternProblem("${claims.}/**")).get().asString().contains("unknown variable");
        assertThat(Policy.patternProblem("${claims.a-b}/**")).get().asString().contains("unknown variable");
        assertThat(Policy.patternProblem("${claims.repository")).get().asString().contains("unterminated");
    }
}
