package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100,000 grants: answers stay right and are thread-safe. How fast they come is measured by
 * PolicyBenchmark (docs/benchmarks.md), not asserted here.
 */
class PolicyScaleTest {
    private static final int TEAMS = 2_000;
    private static Policy policy;

    @BeforeAll
    static void compileLargePolicy() {
        List<Grant> grants = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            int team = i / 4 % TEAMS;
            grants.add(switch (i % 4) {
                case 0 -> new Grant("pull-" + i, List.of(Subject.group("team-" + team)), List.of("team-" + team + "/*"),
                        Set.of("pull"), false);
                case 1 -> new Grant("family-" + i, List.of(Subject.group("team-" + team)),
                        List.of("team-" + team + "-*/**"), Set.of("pull"), false);
                default -> new Grant("user-" + i, List.of(Subject.user("user-" + i)),
                        List.of("team-" + team + "/app-" + i), Set.of("push"), false);
            });
        }
        grants.add(new Grant("home", List.of(Subject.authenticated()), List.of("${user}/**"), Set.of("*"), false));
        policy = Policy.compile(grants);
    }

    private static List<ResourceScope> request(String... names) {
        List<ResourceScope> scopes = new ArrayList<>();
        for (String name : names) {
            scopes.add(new ResourceScope("repository", null, name, Set.of("pull", "push")));
        }
        return scopes;
    }

    private static Identity member(int user, int team) {
        return new Identity("user-" + user, Set.of("team-" + team), "htpasswd", SubjectKind.USER);
    }

    @Test
    void answersAreRightAtScale() {
        assertThat(policy.size()).isEqualTo(100_001);
        // user-2 holds push on team-0/app-2 and, as a member of team-0, pull on team-0/* and team-0-*/**.
        assertThat(policy.authorize(member(2, 0), request("team-0/app-2", "team-0/app-6", "team-1/app-6",
                "team-0-tools/a/b", "user-2/cache", "user-3/cache")))
                .containsExactly(new ResourceScope("repository", null, "team-0/app-2", Set.of("pull", "push")),
                        new ResourceScope("repository", null, "team-0/app-6", Set.of("pull")),
                        new ResourceScope("repository", null, "team-0-tools/a/b", Set.of("pull")),
                        new ResourceScope("repository", null, "user-2/cache", Set.of("pull", "push")));
        // user-7 (team-1) only pulls team-1/app-6, which user-6 may push.
        assertThat(policy.authorize(member(7, 1), request("team-1/app-6", "team-0/app-6")))
                .containsExactly(new ResourceScope("repository", null, "team-1/app-6", Set.of("pull")));
        assertThat(policy.authorize(Identity.ANONYMOUS, request("team-0/app-2", "user-2/cache"))).isEmpty();
    }

    @Test
    void concurrentCallersGetTheSameAnswersAsASingleOne() throws Exception {
        List<Callable<List<List<ResourceScope>>>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            tasks.add(() -> {
                List<List<ResourceScope>> answers = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    int team = i / 4 % TEAMS;
                    answers.add(policy.authorize(member(i, team), request("team-" + team + "/app-" + i)));
                }
                return answers;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<List<ResourceScope>> expected = tasks.get(0).call();
            for (Future<List<List<ResourceScope>>> answer : pool.invokeAll(tasks)) {
                assertThat(answer.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
