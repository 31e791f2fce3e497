package io.registryauth.bench;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.ResourceScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy decisions at 100, 10,000 and 100,000 grants. The grant mix resembles a large shared registry:
 * most grants give one user push on one repository, the rest give teams' groups pull on their
 * {@code team-N/*} repositories, push on {@code team-N/**}, pull on {@code team-N-*}{@code /**}, plus
 * {@code ${user}/**} for everyone logged in and pull on {@code public/**} for anonymous callers. Each
 * decision is a 2-scope request (a team repository with pull,push and a mount source with pull) by one
 * of 1,024 precomputed callers, so lookups are not served from one hot cache line.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PolicyBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class PolicyBenchmark {
    private static final int CALLERS = 1024;

    @Param({"100", "10000", "100000"})
    public int grants;

    private List<Grant> grantList;
    private Policy policy;
    private Identity[] callers;
    private List<ResourceScope>[] requests;
    private int next;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        Random random = new Random(7);
        int teams = Math.max(4, grants / 50);
        int users = Math.max(10, grants * 7 / 10);
        grantList = new ArrayList<>(grants);
        grantList.add(new Grant("public", List.of(Subject.anonymous()), List.of("public/**"), Set.of("pull"), false));
        grantList.add(new Grant("home", List.of(Subject.authenticated()), List.of("${user}/**"), Set.of("*"), false));
        while (grantList.size() < grants) {
            int i = grantList.size();
            int team = random.nextInt(teams);
            Grant grant = switch (i % 10) {
                case 0, 1 -> new Grant("team-pull-" + i, List.of(Subject.group("team-" + team)),
                        List.of("team-" + team + "/*"), Set.of("pull"), false);
                case 2 -> new Grant("team-push-" + i, List.of(Subject.group("team-" + team + "-maintainers")),
                        List.of("team-" + team + "/**"), Set.of("pull", "push"), false);
                case 3 -> new Grant("team-family-" + i, List.of(Subject.group("team-" + team)),
                        List.of("team-" + team + "-*/**"), Set.of("pull"), i % 100 == 3);
                default -> new Grant("user-" + i, List.of(Subject.user("user-" + random.nextInt(users))),
                        List.of("team-" + team + "/app-" + i), Set.of("pull", "push"), false);
            };
            grantList.add(grant);
        }
        policy = Policy.compile(grantList);

        callers = new Identity[CALLERS];
        requests = new List[CALLERS];
        for (int c = 0; c < CALLERS; c++) {
            int team = random.nextInt(teams);
            String user = "user-" + random.nextInt(users);
            callers[c] = new Identity(user, Set.of("team-" + team, "team-" + random.nextInt(teams) + "-maintainers",
                    "staff"), "htpasswd", SubjectKind.USER);
            String target = "team-" + team + "/app-" + random.nextInt(Math.max(1, grants));
            String source = random.nextBoolean() ? "public/base/alpine" : user + "/cache";
            requests[c] = List.of(new ResourceScope("repository", null, target, Set.of("pull", "push")),
                    new ResourceScope("repository", null, source, Set.of("pull")));
        }
        int answered = 0;
        for (int c = 0; c < CALLERS; c++) {
            answered += policy.authorize(callers[c], requests[c]).size();
        }
        // Every request holds a public or ${user} source, so an empty answer means a broken setup.
        if (answered < CALLERS) {
            throw new IllegalStateException("only " + answered + " scopes granted for " + CALLERS + " requests");
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public List<ResourceScope> authorize() {
        int c = next++ & (CALLERS - 1);
        return policy.authorize(callers[c], requests[c]);
    }

    /** What a realm swap costs when the grants change. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Policy compile() {
        return Policy.compile(grantList);
    }
}
