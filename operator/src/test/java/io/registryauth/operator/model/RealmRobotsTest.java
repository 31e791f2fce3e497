package io.registryauth.operator.model;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.pullSecret;
import static io.registryauth.operator.model.Fixtures.registryAuth;
import static io.registryauth.operator.model.Fixtures.repository;
import static io.registryauth.operator.model.Fixtures.robot;
import static io.registryauth.operator.model.Fixtures.robotGrant;
import static io.registryauth.operator.model.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.ResourceNames;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.RobotPasswords;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Robots in the realm: built from the hashes on generated pull Secrets, only for enforced grants. */
class RealmRobotsTest {
    private static final OperatorSettings SETTINGS = OperatorSettings.defaults()
            .withPublicRealmUrl("https://auth.example.com/token");

    private final RegistryAuth auth = registryAuth("registry", "main");
    private final Secret signing = Fixtures.signingSecret(auth);
    private final RepositoryAccess pull = robotGrant("team-a", "pull", "team-a-pull", List.of("team-a/**"),
            RepositoryAction.PULL);

    private RealmConfig realm(List<RepositoryAccess> grants, Secret... pullSecrets) {
        Map<String, Secret> byKey = new HashMap<>();
        for (Secret secret : pullSecrets) {
            byKey.put(ResourceNames.key(secret), secret);
        }
        return RealmModel.realm(new RealmModel.Inputs(auth, signing, null, null, grants, Map.of(), byKey), SETTINGS)
                .realm().orElseThrow();
    }

    @Test
    void theRobotLogsInWithThePasswordWhoseHashTheSecretCarries() {
        RobotPasswords.Generated password = RobotPasswords.generate();

        RealmConfig realm = realm(List.of(pull), pullSecret(pull, password.hash(), null, null));

        var robot = realm.robots().get("robot$team-a$pull");
        assertThat(robot).isNotNull();
        assertThat(robot.accepts(password.password(), Instant.now())).isTrue();
        assertThat(robot.accepts(RobotPasswords.generate().password(), Instant.now())).isFalse();
        assertThat(realm.policy().authorize(robot(pull), List.of(repository("team-a/app", "pull", "push"))))
                .containsExactly(repository("team-a/app", "pull"));
    }

    @Test
    void theRobotGetsOnlyItsOwnGrantWhateverOtherGrantsSay() {
        RepositoryAccess everyone = grant("registry", "everyone", "x", List.of("**"), RepositoryAction.ALL);
        everyone.getSpec().setSubjects(List.of(new GrantSubject(GrantSubject.Kind.AUTHENTICATED, null, null)));

        RealmConfig realm = realm(List.of(pull, everyone), pullSecret(pull, RobotPasswords.generate().hash(), null, null));

        assertThat(realm.policy().authorize(robot(pull), List.of(repository("team-b/app", "pull")))).isEmpty();
        assertThat(realm.policy().authorize(user("alice"), List.of(repository("team-b/app", "pull")))).isNotEmpty();
    }

    @Test
    void thePreviousPasswordIsAcceptedUntilItsGraceEnds() {
        RobotPasswords.Generated previous = RobotPasswords.generate();
        RobotPasswords.Generated current = RobotPasswords.generate();
        Instant until = Instant.parse("2030-01-01T01:00:00Z");

        var robot = realm(List.of(pull), pullSecret(pull, current.hash(), previous.hash(), until))
                .robots().get("robot$team-a$pull");

        assertThat(robot.accepts(previous.password(), until.minusSeconds(1))).isTrue();
        assertThat(robot.accepts(previous.password(), until)).isFalse();
        assertThat(robot.accepts(current.password(), until.plusSeconds(3600))).isTrue();
    }

    @Test
    void noRobotWithoutAWellFormedHash() {
        Secret broken = pullSecret(pull, "not-a-hash", null, null);

        assertThat(realm(List.of(pull), broken).robots()).isEmpty();
        assertThat(realm(List.of(pull)).robots()).as("no Secret yet").isEmpty();
    }

    @Test
    void noRobotFromASecretLabelledForAnotherGrant() {
        RepositoryAccess other = robotGrant("team-a", "other", "team-a-pull", List.of("team-a/**"),
                RepositoryAction.PULL);

        assertThat(realm(List.of(pull), pullSecret(other, RobotPasswords.generate().hash(), null, null)).robots())
                .isEmpty();
    }

    @Test
    void noRobotForAGrantThatIsNotEnforced() {
        RepositoryAccess greedy = robotGrant("team-a", "greedy", "team-a-pull", List.of("**"), RepositoryAction.PULL);

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, null, null,
                List.of(greedy), Map.of(), Map.of("team-a/team-a-pull",
                        pullSecret(greedy, RobotPasswords.generate().hash(), null, null))), SETTINGS);

        assertThat(outcome.realm().orElseThrow().robots()).isEmpty();
        assertThat(outcome.problems()).extracting(GrantModel.Problem::reason).contains(GrantModel.OUTSIDE_TENANCY);
    }

    @Test
    void noticesAnUnreadableGraceEndAndKeepsOnlyTheCurrentPassword() {
        RobotPasswords.Generated previous = RobotPasswords.generate();
        Secret secret = pullSecret(pull, RobotPasswords.generate().hash(), previous.hash(), Instant.now());
        secret.getMetadata().getAnnotations().put(ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION, "tomorrow");

        var robot = realm(List.of(pull), secret).robots().get("robot$team-a$pull");

        assertThat(robot.passwords()).hasSize(1);
        assertThat(robot.accepts(previous.password(), Instant.EPOCH)).isFalse();
    }
}
