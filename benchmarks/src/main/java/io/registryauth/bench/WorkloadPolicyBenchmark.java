package io.registryauth.bench;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.policy.WorkloadMatch;
import io.registryauth.realm.scope.ResourceScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Policy decisions for CI jobs (WORKLOAD identities) against 10,000 workload grants. {@code shape}:
 * <ul>
 *   <li>{@code mixed}: what a large installation looks like. 70% of grants pin one GitHub repository by
 *       {@code repository_id} (plus the owner id) with a glob on {@code ref}; 10% pin an organisation by
 *       {@code repository_owner_id} and push {@code ${claims.repository}/**}; 10% pin a GitLab
 *       {@code project_id}; 10% add a CEL condition ({@code claims.ref_protected == 'true'}).</li>
 *   <li>{@code sharedKey}: the worst case for the index. Every grant pins the same owner id and nothing more
 *       specific, differing only by their ref glob, so every caller has 10,000 candidates to check.</li>
 * </ul>
 * Each decision is a 2-scope request (pull,push on the job's repository and pull on a base image) by one of
 * 1,024 precomputed GitHub-shaped jobs (about 20 claims each).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar WorkloadPolicyBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class WorkloadPolicyBenchmark {
    private static final int CALLERS = 1024;

    @Param({"10000"})
    public int grants;

    @Param({"mixed", "sharedKey"})
    public String shape;

    private List<Grant> grantList;
    private Policy policy;
    private Identity[] callers;
    private List<ResourceScope>[] requests;
    private int next;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        Random random = new Random(11);
        int owners = 200;
        grantList = new ArrayList<>(grants);
        for (int i = 0; i < grants; i++) {
            int owner = i % owners;
            String ownerId = Integer.toString(100_000 + owner);
            WorkloadMatch match;
            List<String> patterns;
            if (shape.equals("sharedKey")) {
                match = new WorkloadMatch("github", Map.of("repository_owner_id", "100000"),
                        Map.of("ref", "refs/heads/release-" + i + "/*"), null);
                patterns = List.of("org-0/repo-" + i + "/**");
            } else {
                switch (i % 10) {
                    case 7 -> {
                        match = new WorkloadMatch("github", Map.of("repository_owner_id", ownerId),
                                Map.of("ref", "refs/heads/main"), null);
                        patterns = List.of("${claims.repository}/**");
                    }
                    case 8 -> {
                        match = new WorkloadMatch("gitlab", Map.of("project_id", Integer.toString(i)),
                                Map.of("ref", "main"), null);
                        patterns = List.of("group-" + owner + "/project-" + i + "/**");
                    }
                    case 9 -> {
                        match = new WorkloadMatch("github", Map.of("repository_id", Integer.toString(i),
                                "repository_owner_id", ownerId), Map.of(), "claims.ref_protected == 'true'");
                        patterns = List.of("org-" + owner + "/repo-" + i + "/**");
                    }
                    default -> {
                        match = new WorkloadMatch("github", Map.of("repository_id", Integer.toString(i),
                                "repository_owner_id", ownerId), Map.of("ref", "refs/heads/*"), null);
                        patterns = List.of("org-" + owner + "/repo-" + i + "/**");
                    }
                }
            }
            grantList.add(new Grant("ci/" + i, List.of(Subject.workload(match)), patterns, Set.of("pull", "push"),
                    false));
        }
        grantList.add(new Grant("public", List.of(Subject.anonymous()), List.of("library/**"), Set.of("pull"), false));
        policy = Policy.compile(grantList);

        callers = new Identity[CALLERS];
        requests = new List[CALLERS];
        int granted = 0;
        for (int c = 0; c < CALLERS; c++) {
            int i = random.nextInt(grants);
            int owner = shape.equals("sharedKey") ? 0 : i % owners;
            String repository = "org-" + owner + "/repo-" + i;
            Map<String, Object> claims = new HashMap<>();
            claims.put("iss", "https://token.actions.githubusercontent.com");
            claims.put("sub", "repo:" + repository + ":ref:refs/heads/main");
            claims.put("repository", repository);
            claims.put("repository_id", Integer.toString(i));
            claims.put("repository_owner", "org-" + owner);
            claims.put("repository_owner_id", Integer.toString(100_000 + owner));
            claims.put("repository_visibility", "private");
            claims.put("ref", shape.equals("sharedKey") ? "refs/heads/release-" + i + "/x" : "refs/heads/main");
            claims.put("ref_type", "branch");
            claims.put("ref_protected", "true");
            claims.put("sha", "5b1f0c8e2a9d4c7b8e6f1a2b3c4d5e6f7a8b9c0d");
            claims.put("workflow", "build");
            claims.put("workflow_ref", repository + "/.github/workflows/build.yml@refs/heads/main");
            claims.put("job_workflow_ref", repository + "/.github/workflows/build.yml@refs/heads/main");
            claims.put("event_name", "push");
            claims.put("run_id", Long.toString(9_000_000_000L + c));
            claims.put("run_number", "17");
            claims.put("run_attempt", "1");
            claims.put("actor", "octocat");
            claims.put("actor_id", "583231");
            claims.put("runner_environment", "github-hosted");
            callers[c] = new Identity("github:" + claims.get("sub"), Set.of(), "workload:github",
                    SubjectKind.WORKLOAD, claims);
            requests[c] = List.of(new ResourceScope("repository", null, repository + "/app", Set.of("pull", "push")),
                    new ResourceScope("repository", null, "library/alpine", Set.of("pull")));
            granted += policy.authorize(callers[c], requests[c]).size();
        }
        // Every request holds the public base image, and most the job's own repository.
        if (granted < CALLERS * 3 / 2) {
            throw new IllegalStateException("only " + granted + " scopes granted for " + CALLERS + " requests");
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public List<ResourceScope> authorize() {
        int c = next++ & (CALLERS - 1);
        return policy.authorize(callers[c], requests[c]);
    }

    /**
     * CPU time per compile and per decision on this thread, which a busy machine skews far less than JMH's
     * wall-clock averages: {@code java -cp benchmarks/target/benchmarks.jar
     * io.registryauth.bench.WorkloadPolicyBenchmark [rounds]}.
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String shape : List.of("mixed", "sharedKey")) {
            WorkloadPolicyBenchmark bench = new WorkloadPolicyBenchmark();
            bench.grants = 10_000;
            bench.shape = shape;
            bench.setUp();
            int decisions = shape.equals("mixed") ? 200_000 : 1_000;
            for (int round = 1; round <= rounds; round++) {
                long start = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < 5; i++) {
                    bench.compile();
                }
                long compiled = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < decisions; i++) {
                    bench.authorize();
                }
                long decided = cpu.getCurrentThreadCpuTime();
                System.out.printf("%s round %d: compile %.0f ms CPU, decision %.2f us CPU%n", shape, round,
                        (compiled - start) / 5e6, (decided - compiled) / 1e3 / decisions);
            }
        }
    }

    /** What a realm swap costs when the grants change (conditions compiled, CEL included). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Policy compile() {
        return Policy.compile(grantList);
    }
}
