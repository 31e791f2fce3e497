package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.registryauth.realm.policy.Explainer.Explanation;
import io.registryauth.realm.policy.Explainer.Verdict;
import io.registryauth.realm.scope.ResourceScope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The explanation agrees with the realm: for every requested scope, the grants named as deciding, compiled
 * alone, grant exactly what {@link Policy#authorize} grants, and no grant that is not deciding would add
 * anything. Run over {@link PolicyScript} cases: the policy fuzz seeds (Jazzer, replayed in every build) and
 * a few thousand generated ones with time-bound grants mixed in.
 */
class ExplainerAgreementTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @FuzzTest(maxDuration = "30s")
    void explain(byte[] input) {
        check(PolicyScript.parse(new String(input, StandardCharsets.UTF_8)), 0);
    }

    @Test
    void generatedCasesAgree() {
        Random random = new Random(13);
        String[] subjects = {"u:alice", "u:bob", "g:team-a", "g:system:serviceaccounts", "sa:ns:build", "r:robot$ns$g",
                "anon", "auth"};
        String[] patterns = {"team-a/**", "team-a/*", "${user}/**", "team-a/app", "**", "*/app", "Bad/**", "a*b/**"};
        String[] actions = {"pull", "push", "delete", "*", "bogus"};
        String[] callers = {"w u alice team-a", "w u bob", "w sa ns:build system:serviceaccounts", "w r robot$ns$g",
                "w anon x", "w u alice"};
        String[] scopes = {"repository:team-a/app:pull", "repository:team-a/app:pull,push", "repository:alice/x:*",
                "repository:team-a/sub/app:delete", "registry:catalog:*", "repository:bob/app:push,pull",
                "repository:zzz/app:pull"};
        for (int round = 0; round < 3000; round++) {
            StringBuilder script = new StringBuilder();
            for (int g = random.nextInt(5); g >= 0; g--) {
                script.append("g ").append(pick(random, subjects)).append(random.nextBoolean() ? ";" + pick(random,
                        subjects) : "").append(' ').append(pick(random, patterns)).append(' ')
                        .append(pick(random, actions)).append(random.nextInt(4) == 0 ? ",pull" : "")
                        .append(random.nextInt(5) == 0 ? " c" : "").append('\n');
            }
            script.append(pick(random, callers)).append('\n');
            for (int s = random.nextInt(3); s >= 0; s--) {
                script.append(pick(random, scopes)).append('\n');
            }
            check(PolicyScript.parse(script.toString()), random.nextInt(3));
        }
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** {@code timed}: 0 no grant is time-bound, else every other grant gets a validity that NOW is outside or inside. */
    private static void check(PolicyScript script, int timed) {
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < script.grants().size(); i++) {
            Grant g = script.grants().get(i);
            if (timed == 1 && i % 2 == 0) {
                g = g.validBetween(null, NOW);
            } else if (timed == 2 && i % 2 == 0) {
                g = g.validBetween(NOW.minusSeconds(1), NOW.plusSeconds(1));
            }
            grants.add(g);
        }
        Policy policy = Policy.compile(grants, NOW);
        for (ResourceScope scope : script.requested()) {
            if (scope == null || scope.name() == null || scope.type() == null) {
                continue;
            }
            List<ResourceScope> realm = policy.authorize(script.who(), List.of(scope));
            Explanation e = Explainer.explain(policy, script.who(), scope, NOW);
            assertThat(e.granted()).as(scope.toScopeString())
                    .isEqualTo(realm.isEmpty() ? java.util.Set.of() : realm.get(0).actions());
            List<Grant> deciding = e.deciding().stream().map(Verdict::grant).toList();
            assertThat(Policy.compile(deciding, NOW).authorize(script.who(), List.of(scope)))
                    .as("deciding grants alone, %s", scope.toScopeString()).isEqualTo(realm);
            assertThat(e.deciding().isEmpty()).isEqualTo(realm.isEmpty());
            for (Verdict v : e.others()) {
                if (v.grant().validity(NOW) == Grant.Validity.ACTIVE) {
                    assertThat(v.reason()).as(v.toString()).isNotEqualTo(Explainer.Reason.GRANTED);
                    List<Grant> plus = new ArrayList<>(deciding);
                    plus.add(v.grant());
                    assertThat(Policy.compile(plus, NOW).authorize(script.who(), List.of(scope))).isEqualTo(realm);
                }
            }
        }
    }
}
