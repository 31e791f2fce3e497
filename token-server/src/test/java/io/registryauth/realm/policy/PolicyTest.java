package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.scope.ScopeParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyTest {
    private static final Identity ALICE = user("alice");
    private static final Identity BOB = user("bob", "dev");

    static Identity user(String name, String... groups) {
        return new Identity(name, Set.of(groups), "htpasswd", SubjectKind.USER);
    }

    static Identity serviceAccount(String namespaceAndName) {
        return new Identity(namespaceAndName, Set.of(), "kubernetes", SubjectKind.SERVICE_ACCOUNT);
    }

    static Grant grant(Subject subject, String pattern, String... actions) {
        return new Grant("g-" + pattern, List.of(subject), List.of(pattern), Set.of(actions), false);
    }

    /** Authorizes scopes written the way clients send them, and prints the answer the same way. */
    static List<String> ask(Policy policy, Identity who, String... scopes) {
        List<String> out = new ArrayList<>();
        for (ResourceScope s : policy.authorize(who, ScopeParser.parse(Arrays.asList(scopes)))) {
            out.add(s.toScopeString());
        }
        return out;
    }

    @Test
    void emptyPolicyGrantsNothing() {
        assertThat(Policy.empty().size()).isZero();
        assertThat(ask(Policy.empty(), ALICE, "repository:a:pull", "registry:catalog:*")).isEmpty();
        assertThat(ask(Policy.compile(List.of()), Identity.ANONYMOUS, "repository:a:pull")).isEmpty();
    }

    @Test
    void sizeCountsGrants() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "a", "pull"),
                grant(Subject.user("alice"), "a", "push"), grant(Subject.group("dev"), "b/**", "pull")));
        assertThat(policy.size()).isEqualTo(3);
    }

    @Test
    void userSubjectMatchesOnlyThatUser() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/app", "pull", "push")));
        assertThat(ask(policy, ALICE, "repository:team/app:pull,push"))
                .containsExactly("repository:team/app:pull,push");
        assertThat(ask(policy, BOB, "repository:team/app:pull")).isEmpty();
        assertThat(ask(policy, serviceAccount("alice"), "repository:team/app:pull")).isEmpty();
        assertThat(ask(policy, Identity.ANONYMOUS, "repository:team/app:pull")).isEmpty();
    }

    @Test
    void intersectionNotRefusal() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/app", "pull")));
        assertThat(ask(policy, ALICE, "repository:team/app:pull,push")).containsExactly("repository:team/app:pull");
        assertThat(ask(policy, ALICE, "repository:team/app:push")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:team/app:push", "repository:team/app2:pull")).isEmpty();
    }

    @Test
    void groupSubjectMatchesMembers() {
        Policy policy = Policy.compile(List.of(grant(Subject.group("dev"), "team/app", "pull")));
        assertThat(ask(policy, BOB, "repository:team/app:pull")).containsExactly("repository:team/app:pull");
        assertThat(ask(policy, ALICE, "repository:team/app:pull")).isEmpty();
        assertThat(ask(policy, user("dev"), "repository:team/app:pull")).as("a user named like the group").isEmpty();
    }

    @Test
    void serviceAccountSubjectMatchesNamespaceAndName() {
        Policy policy = Policy.compile(List.of(grant(Subject.serviceAccount("ci", "builder"), "team/app", "push")));
        assertThat(ask(policy, serviceAccount("ci:builder"), "repository:team/app:push"))
                .containsExactly("repository:team/app:push");
        assertThat(ask(policy, serviceAccount("other:builder"), "repository:team/app:push")).isEmpty();
        assertThat(ask(policy, user("ci:builder"), "repository:team/app:push")).isEmpty();
    }

    @Test
    void anonymousSubjectMatchesEveryCallerIncludingLoggedInOnes() {
        Policy policy = Policy.compile(List.of(grant(Subject.anonymous(), "public/**", "pull")));
        for (Identity who : List.of(Identity.ANONYMOUS, ALICE, BOB, serviceAccount("ci:builder"))) {
            assertThat(ask(policy, who, "repository:public/base:pull,push"))
                    .as(who.name()).containsExactly("repository:public/base:pull");
        }
        assertThat(ask(policy, null, "repository:public/base:pull")).containsExactly("repository:public/base:pull");
    }

    @Test
    void authenticatedSubjectMatchesEveryoneButAnonymous() {
        Policy policy = Policy.compile(List.of(grant(Subject.authenticated(), "shared/**", "pull")));
        assertThat(ask(policy, ALICE, "repository:shared/x:pull")).containsExactly("repository:shared/x:pull");
        assertThat(ask(policy, serviceAccount("ci:builder"), "repository:shared/x:pull")).hasSize(1);
        assertThat(ask(policy, Identity.ANONYMOUS, "repository:shared/x:pull")).isEmpty();
    }

    @Test
    void actionsOfAllMatchingGrantsAreUnited() {
        Policy policy = Policy.compile(List.of(
                grant(Subject.anonymous(), "team/**", "pull"),
                grant(Subject.group("dev"), "team/*", "push"),
                grant(Subject.user("bob"), "team/app", "delete")));
        assertThat(ask(policy, BOB, "repository:team/app:pull,push,delete"))
                .containsExactly("repository:team/app:delete,pull,push");
        assertThat(ask(policy, BOB, "repository:team/app/sub:pull,push,delete"))
                .containsExactly("repository:team/app/sub:pull");
        assertThat(ask(policy, ALICE, "repository:team/app:pull,push,delete"))
                .containsExactly("repository:team/app:pull");
    }

    @Test
    void grantOrderNeverMatters() {
        List<Grant> grants = new ArrayList<>();
        String[] patterns = {"team/app", "team/*", "team/**", "**", "*/app", "team-*/**", "${user}/**", "x/${user}",
                "team/app/*", "*", "host:5000/team/*", "a*b/**/c"};
        String[][] actions = {{"pull"}, {"push"}, {"delete"}, {"*"}, {"pull", "push"}};
        List<Subject> subjects = List.of(Subject.user("alice"), Subject.group("dev"), Subject.anonymous(),
                Subject.authenticated(), Subject.user("bob"));
        Random random = new Random(42);
        for (int i = 0; i < 40; i++) {
            grants.add(new Grant("g" + i, List.of(subjects.get(random.nextInt(subjects.size()))),
                    List.of(patterns[random.nextInt(patterns.length)]),
                    Set.of(actions[random.nextInt(actions.length)]), random.nextInt(5) == 0));
        }
        String[] request = {"repository:team/app:pull,push,delete", "repository:team/app/x:*",
                "repository:alice/x/y:pull,push", "repository:x/alice:delete", "repository:team-1/a/b:pull",
                "repository:abb/q/c:pull", "repository:host:5000/team/z:push", "repository:solo:pull",
                "registry:catalog:*", "repository(plugin):team/app:pull"};
        List<Identity> callers = List.of(ALICE, BOB, Identity.ANONYMOUS, user("carol", "dev"));
        Policy reference = Policy.compile(grants);
        for (int round = 0; round < 20; round++) {
            List<Grant> shuffled = new ArrayList<>(grants);
            Collections.shuffle(shuffled, random);
            Policy policy = Policy.compile(shuffled);
            for (Identity who : callers) {
                assertThat(ask(policy, who, request)).isEqualTo(ask(reference, who, request));
            }
        }
    }

    @Test
    void answerKeepsRequestOrderAndDropsEmptyScopes() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "**", "pull")));
        assertThat(ask(policy, ALICE, "repository:z:pull", "repository:a:push", "repository:m:pull,push"))
                .containsExactly("repository:z:pull", "repository:m:pull");
    }

    // --- patterns ---

    @Test
    void singleStarStaysWithinOneSegment() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/*", "pull")));
        assertThat(ask(policy, ALICE, "repository:team/app:pull")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:team/app/sub:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:team:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:other/app:pull")).isEmpty();
    }

    @Test
    void starInsideASegment() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team-*/app-*-x", "pull")));
        assertThat(ask(policy, ALICE, "repository:team-a/app-b-x:pull")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:team-a/app-b-c-x:pull")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:team-a/b/app-b-x:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:team-a/app-b-y:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:teams/app-b-x:pull")).isEmpty();
    }

    @Test
    void doubleStarCrossesSegments() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/**", "pull"),
                grant(Subject.user("alice"), "**/cache", "push"),
                grant(Subject.user("alice"), "a/**/z", "delete")));
        assertThat(ask(policy, ALICE, "repository:team/app:pull")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:team/a/b/c:pull")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:team:pull")).as("team/** needs something after team/").isEmpty();
        assertThat(ask(policy, ALICE, "repository:teams/app:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:x/y/cache:push")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:x/y/nocache:push")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:a/z:delete")).as("'a/' '**'='' '/z' needs two slashes").isEmpty();
        assertThat(ask(policy, ALICE, "repository:a/b/z:delete")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:a/b/c/z:delete")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:a/b/c/zz:delete")).isEmpty();
    }

    @Test
    void doubleStarAloneMatchesEverything() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "**", "pull")));
        assertThat(ask(policy, ALICE, "repository:x:pull", "repository:host:5000/a/b/c:pull")).hasSize(2);
    }

    @Test
    void literalNameMatchesOnlyItself() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/app", "pull")));
        assertThat(ask(policy, ALICE, "repository:team/app2:pull", "repository:team/ap:pull",
                "repository:team/app/x:pull", "repository:xteam/app:pull")).isEmpty();
    }

    @Test
    void hostAndPortNames() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "host:5000/a/b", "pull"),
                grant(Subject.user("alice"), "host:5000/team/*", "push")));
        assertThat(ask(policy, ALICE, "repository:host:5000/a/b:pull,push"))
                .containsExactly("repository:host:5000/a/b:pull");
        assertThat(ask(policy, ALICE, "repository:host:5000/team/x:pull,push"))
                .containsExactly("repository:host:5000/team/x:push");
        assertThat(ask(policy, ALICE, "repository:a/b:pull", "repository:host:5001/a/b:pull")).isEmpty();
    }

    @Test
    void userVariableExpandsToTheCallersName() {
        Policy policy = Policy.compile(List.of(grant(Subject.authenticated(), "${user}/**", "pull", "push"),
                grant(Subject.authenticated(), "home/${user}", "*"),
                grant(Subject.anonymous(), "sandbox/${user}-*", "pull")));
        assertThat(ask(policy, ALICE, "repository:alice/app:pull,push"))
                .containsExactly("repository:alice/app:pull,push");
        assertThat(ask(policy, ALICE, "repository:alice/a/b:push")).hasSize(1);
        assertThat(ask(policy, ALICE, "repository:bob/app:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:alicex/app:pull")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:home/alice:*")).containsExactly("repository:home/alice:*");
        assertThat(ask(policy, BOB, "repository:home/alice:*")).isEmpty();
        assertThat(ask(policy, ALICE, "repository:sandbox/alice-1:pull")).hasSize(1);
        assertThat(ask(policy, BOB, "repository:sandbox/alice-1:pull")).isEmpty();
    }

    @Test
    void userVariableNeverMatchesAnonymousOrUnusableNames() {
        Policy policy = Policy.compile(List.of(grant(Subject.anonymous(), "${user}/**", "pull"),
                grant(Subject.anonymous(), "u/${user}", "pull")));
        assertThat(ask(policy, Identity.ANONYMOUS, "repository:u/x:pull")).isEmpty();
        // An anonymous name is empty: "/x" or "u/" must not sneak through.
        assertThat(policy.authorize(Identity.ANONYMOUS,
                List.of(new ResourceScope("repository", null, "u/", Set.of("pull")),
                        new ResourceScope("repository", null, "/x", Set.of("pull"))))).isEmpty();
        assertThat(ask(policy, user("team/evil"), "repository:team/evil/x:pull")).as("slash in name").isEmpty();
        assertThat(ask(policy, user("*"), "repository:anything/x:pull")).as("star in name").isEmpty();
        assertThat(ask(policy, user("**"), "repository:u/x:pull")).isEmpty();
        assertThat(ask(policy, user("Alice"), "repository:alice/x:pull")).as("uppercase").isEmpty();
        assertThat(ask(policy, user("alice@example.com"), "repository:u/x:pull")).isEmpty();
        assertThat(ask(policy, serviceAccount("ci:builder"), "repository:u/ci:pull")).isEmpty();
        assertThat(ask(policy, user("alice.smith"), "repository:u/alice.smith:pull")).hasSize(1);
    }

    // --- actions ---

    @Test
    void starRequestIsAnsweredWithTheConcreteActionsHeld() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/app", "delete"),
                grant(Subject.user("alice"), "team/*", "pull")));
        assertThat(ask(policy, ALICE, "repository:team/app:*")).containsExactly("repository:team/app:delete,pull");
        assertThat(ask(policy, ALICE, "repository:team/other:*")).containsExactly("repository:team/other:pull");
        assertThat(ask(policy, ALICE, "repository:elsewhere:*")).isEmpty();
    }

    @Test
    void starGrantGrantsEverythingAskedIncludingStarAndUnknownActions() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/**", "*")));
        assertThat(ask(policy, ALICE, "repository:team/app:*")).containsExactly("repository:team/app:*");
        assertThat(ask(policy, ALICE, "repository:team/app:pull,push,delete"))
                .containsExactly("repository:team/app:delete,pull,push");
        assertThat(ask(policy, ALICE, "repository:team/app:mount,pull"))
                .containsExactly("repository:team/app:mount,pull");
    }

    @Test
    void unknownActionsAreNotGrantedWithoutStar() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/app", "pull", "push", "delete")));
        assertThat(ask(policy, ALICE, "repository:team/app:mount,pull")).containsExactly("repository:team/app:pull");
        assertThat(ask(policy, ALICE, "repository:team/app:mount")).isEmpty();
    }

    @Test
    void unknownGrantActionsGrantNothing() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "team/app", "mount", "PULL")));
        assertThat(ask(policy, ALICE, "repository:team/app:mount,pull,*")).isEmpty();
    }

    @Test
    void pluginClassIsAuthorizedLikeRepositoryAndKeepsItsClass() {
        Policy policy = Policy.compile(List.of(grant(Subject.user("alice"), "x", "pull")));
        assertThat(ask(policy, ALICE, "repository(plugin):x:pull,push")).containsExactly("repository(plugin):x:pull");
    }

    // --- catalog ---

    @Test
    void catalogNeedsACatalogGrant() {
        Grant catalog = new Grant("cat", List.of(Subject.group("ops")), List.of(), Set.of(), true);
        Policy policy = Policy.compile(List.of(catalog, grant(Subject.user("alice"), "**", "*")));
        assertThat(ask(policy, user("olga", "ops"), "registry:catalog:*")).containsExactly("registry:catalog:*");
        assertThat(ask(policy, user("olga", "ops"), "registry:catalog:search"))
                .containsExactly("registry:catalog:search");
        assertThat(ask(policy, ALICE, "registry:catalog:*")).as("repository * is not catalog").isEmpty();
        assertThat(ask(policy, user("olga", "ops"), "repository:x:pull")).isEmpty();
    }

    @Test
    void anonymousCatalog() {
        Grant catalog = new Grant("cat", List.of(Subject.anonymous()), List.of("public/**"), Set.of("pull"), true);
        Policy policy = Policy.compile(List.of(catalog));
        assertThat(ask(policy, Identity.ANONYMOUS, "registry:catalog:*", "repository:public/a:pull"))
                .containsExactly("registry:catalog:*", "repository:public/a:pull");
    }

    @Test
    void otherRegistryResourcesAndUnknownTypesAreNeverGranted() {
        Grant all = new Grant("all", List.of(Subject.user("alice")), List.of("**"), Set.of("*"), true);
        Policy policy = Policy.compile(List.of(all));
        assertThat(policy.authorize(ALICE, List.of(new ResourceScope("registry", null, "other", Set.of("*")),
                new ResourceScope("registry", "x", "catalog", Set.of("*")),
                new ResourceScope("volume", null, "x", Set.of("*"))))).isEmpty();
    }

    // --- robustness ---

    @Test
    void neverThrowsForOddRequests() {
        Grant all = new Grant("all", List.of(Subject.user("alice")), List.of("**", "a/*"), Set.of("*"), true);
        Policy policy = Policy.compile(List.of(all));
        assertThat(policy.authorize(ALICE, null)).isEmpty();
        assertThat(policy.authorize(ALICE, List.of())).isEmpty();
        assertThat(policy.authorize(ALICE, Arrays.asList(null, new ResourceScope(null, null, "x", Set.of("pull")),
                new ResourceScope("repository", null, null, Set.of("pull"))))).isEmpty();
        assertThat(policy.authorize(ALICE, List.of(new ResourceScope("repository", null, "", Set.of("pull")))))
                .hasSize(1);
        assertThat(policy.authorize(ALICE, List.of(new ResourceScope("repository", null, "a", Set.of()),
                new ResourceScope("registry", null, "catalog", Set.of()))))
                .as("nothing asked, nothing granted").isEmpty();
    }

    @Test
    void badGrantsAreIgnoredNotFatal() {
        List<Grant> grants = List.of(
                new Grant("bad-pattern", List.of(Subject.user("alice")),
                        List.of("Team/*", "ok/*"), Set.of("pull"), false),
                new Grant("no-name", List.of(new Subject(SubjectKind.USER, null), new Subject(SubjectKind.GROUP, "")),
                        List.of("**"), Set.of("*"), true));
        Policy policy = Policy.compile(grants);
        assertThat(policy.size()).isEqualTo(2);
        assertThat(ask(policy, ALICE, "repository:ok/x:pull", "repository:team/x:pull", "registry:catalog:*"))
                .containsExactly("repository:ok/x:pull");
        assertThat(ask(policy, user(""), "repository:x:pull")).isEmpty();
    }

    @Test
    void manyGroupsAndSubjectsPerGrant() {
        Grant shared = new Grant("shared", List.of(Subject.group("a"), Subject.group("b"), Subject.user("carol")),
                List.of("x/*", "y"), Set.of("pull", "push"), false);
        Policy policy = Policy.compile(List.of(shared));
        assertThat(ask(policy, user("dave", "b"), "repository:y:push", "repository:x/1:pull"))
                .containsExactly("repository:y:push", "repository:x/1:pull");
        assertThat(ask(policy, user("carol"), "repository:y:pull")).hasSize(1);
        assertThat(ask(policy, user("erin", "c"), "repository:y:pull")).isEmpty();
    }

    // --- patternProblem ---

    @Test
    void acceptedPatterns() {
        for (String ok : List.of("team/app", "team/*", "team/**", "**", "*", "${user}", "${user}/**",
                "home/${user}-*", "host:5000/a/*", "a.b_c-d/e__f", "a*b/**/c")) {
            assertThat(Policy.patternProblem(ok)).as(ok).isEmpty();
        }
    }

    @Test
    void patternProblemsSayWhatToDo() {
        assertThat(Policy.patternProblem("")).contains("repository pattern is empty");
        assertThat(Policy.patternProblem(null)).contains("repository pattern is empty");
        assertThat(Policy.patternProblem("team/***")).get().asString()
                .contains("'***' is ambiguous").contains("'*' within one path segment or '**' across segments");
        assertThat(Policy.patternProblem("${group}/app")).get().asString()
                .contains("unknown variable ${group}").contains("the variables are ${user} and ${claims.<name>}");
        assertThat(Policy.patternProblem("${user")).get().asString().contains("unterminated");
        assertThat(Policy.patternProblem("a$b")).get().asString().contains("'$' may only start a variable, ${user} or ${claims.<name>}");
        assertThat(Policy.patternProblem("Team/app")).get().asString().contains("uppercase letter 'T'");
        assertThat(Policy.patternProblem("team app")).get().asString().contains("' ' is not allowed");
        assertThat(Policy.patternProblem("team/app?")).get().asString().contains("'?' is not allowed");
        assertThat(Policy.patternProblem("team/\u00e9")).get().asString().contains("U+00E9");
        assertThat(Policy.patternProblem("team/\napp")).get().asString().contains("U+000A").doesNotContain("\n");
        assertThat(Policy.patternProblem("/team")).get().asString().contains("empty path segment");
        assertThat(Policy.patternProblem("team/")).get().asString().contains("empty path segment");
        assertThat(Policy.patternProblem("team//app")).get().asString().contains("empty path segment");
        assertThat(Policy.patternProblem("a".repeat(256))).get().asString().contains("longer than 255");
        assertThat(Policy.patternProblem("team/app?")).get().asString().contains("\"team/app?\"");
    }
}
