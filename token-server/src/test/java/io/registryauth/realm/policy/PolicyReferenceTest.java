package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random grants and requests over a small alphabet, where the indexed policy must agree with a plain scan. */
class PolicyReferenceTest {
    private static final String[] SEGMENTS = {"a", "b", "ab", "team", "app", "alice", "x-1", "host:5000"};
    private static final String[] PATTERN_PIECES = {"a", "b", "*", "**", "/", "${user}", "team", "-", "x"};
    private static final List<Set<String>> ACTIONS = List.of(Set.of("pull"), Set.of("push"), Set.of("delete"),
            Set.of("*"), Set.of("pull", "push"), Set.of("pull", "delete"));
    private static final List<Set<String>> REQUESTS = List.of(Set.of("pull"), Set.of("pull", "push"), Set.of("*"),
            Set.of("delete", "mount"), Set.of("pull", "push", "delete"));

    @Test
    void indexedPolicyAgreesWithAPlainScan() {
        Random random = new Random(20261129);
        int compared = 0;
        for (int round = 0; round < 200; round++) {
            List<Grant> grants = new ArrayList<>();
            for (int i = random.nextInt(30); i >= 0; i--) {
                grants.add(new Grant("g" + i, List.of(subject(random)), List.of(pattern(random), pattern(random)),
                        ACTIONS.get(random.nextInt(ACTIONS.size())), random.nextInt(8) == 0));
            }
            Policy policy = Policy.compile(grants);
            ReferencePolicy reference = new ReferencePolicy(grants);
            for (int q = 0; q < 20; q++) {
                Identity who = identity(random);
                List<ResourceScope> request = List.of(scope(random), scope(random), scope(random),
                        new ResourceScope("registry", null, "catalog", Set.of("*")));
                List<ResourceScope> granted = policy.authorize(who, request);
                assertThat(granted).as("%s asks %s of %s", who, request, grants)
                        .isEqualTo(reference.authorize(who, request));
                compared += granted.size();
            }
        }
        assertThat(compared).as("the random cases grant something often enough to mean anything")
                .isGreaterThan(3000);
    }

    private static Subject subject(Random random) {
        return switch (random.nextInt(7)) {
            case 6 -> new Subject(SubjectKind.ROBOT, random.nextBoolean() ? "robot$ci$pull" : "robot$ci$push");
            case 0 -> Subject.anonymous();
            case 1 -> Subject.authenticated();
            case 2 -> Subject.group("dev");
            case 3 -> Subject.serviceAccount("ci", "builder");
            default -> Subject.user(random.nextBoolean() ? "alice" : "bob");
        };
    }

    private static Identity identity(Random random) {
        return switch (random.nextInt(6)) {
            // Groups on a robot identity must not matter: only its ROBOT subject does.
            case 5 -> new Identity("robot$ci$pull", Set.of("dev"), "robot", SubjectKind.ROBOT);
            case 0 -> Identity.ANONYMOUS;
            case 1 -> new Identity("ci:builder", Set.of(), "test", SubjectKind.SERVICE_ACCOUNT);
            case 2 -> new Identity("bob", Set.of("dev"), "test", SubjectKind.USER);
            default -> new Identity("alice", Set.of(), "test", SubjectKind.USER);
        };
    }

    private static String pattern(Random random) {
        StringBuilder p = new StringBuilder();
        for (int i = random.nextInt(6); i >= 0; i--) {
            p.append(random.nextInt(3) == 0 ? SEGMENTS[random.nextInt(SEGMENTS.length)]
                    : PATTERN_PIECES[random.nextInt(PATTERN_PIECES.length)]);
        }
        return p.toString();
    }

    private static ResourceScope scope(Random random) {
        StringBuilder name = new StringBuilder(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        for (int i = random.nextInt(4); i > 0; i--) {
            name.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        return new ResourceScope("repository", random.nextInt(10) == 0 ? "plugin" : null, name.toString(),
                REQUESTS.get(random.nextInt(REQUESTS.size())));
    }
}
