package io.registryauth.realm.policy;

import static io.registryauth.realm.policy.PolicyTest.ask;
import static io.registryauth.realm.policy.PolicyTest.grant;
import static io.registryauth.realm.policy.PolicyTest.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A robot holds exactly what its own grant says, whatever other grants say. */
class RobotPolicyTest {
    private static final String NAME = "robot$team-a$pull";
    private static final Identity ROBOT = new Identity(NAME, Set.of(), "robot", SubjectKind.ROBOT);
    private static final Subject ROBOT_SUBJECT = new Subject(SubjectKind.ROBOT, NAME);

    @Test
    void robotGetsItsOwnGrant() {
        Policy policy = Policy.compile(List.of(grant(ROBOT_SUBJECT, "team-a/**", "pull")));
        assertThat(ask(policy, ROBOT, "repository:team-a/app:pull,push", "repository:team-b/app:pull"))
                .containsExactly("repository:team-a/app:pull");
        assertThat(ask(policy, ROBOT, "repository:team-a/app:*")).containsExactly("repository:team-a/app:pull");
    }

    @Test
    void anonymousAuthenticatedAndGroupGrantsDoNotWidenARobot() {
        Policy policy = Policy.compile(List.of(
                grant(ROBOT_SUBJECT, "team-a/**", "pull"),
                grant(Subject.anonymous(), "public/**", "pull"),
                grant(Subject.anonymous(), "team-a/**", "*"),
                grant(Subject.authenticated(), "team-a/**", "push", "delete"),
                grant(Subject.group("dev"), "team-a/**", "*"),
                new Grant("catalog", List.of(Subject.authenticated(), Subject.anonymous()), List.of("x"),
                        Set.of("pull"), true)));
        Identity robotInGroup = new Identity(NAME, Set.of("dev"), "robot", SubjectKind.ROBOT);
        for (Identity robot : List.of(ROBOT, robotInGroup)) {
            assertThat(ask(policy, robot, "repository:team-a/app:pull,push,delete", "repository:public/x:pull",
                    "registry:catalog:*")).containsExactly("repository:team-a/app:pull");
        }
        // The same grants still give ordinary callers what they say.
        assertThat(ask(policy, Identity.ANONYMOUS, "repository:public/x:pull", "registry:catalog:*"))
                .containsExactly("repository:public/x:pull", "registry:catalog:*");
    }

    @Test
    void robotSubjectsMatchOnlyThatRobot() {
        Policy policy = Policy.compile(List.of(grant(ROBOT_SUBJECT, "team-a/**", "pull", "push")));
        Identity other = new Identity("robot$team-a$other", Set.of(), "robot", SubjectKind.ROBOT);
        assertThat(ask(policy, other, "repository:team-a/app:pull")).isEmpty();
        // A user or service account with the robot's name is not the robot.
        assertThat(ask(policy, user(NAME), "repository:team-a/app:pull")).isEmpty();
        assertThat(ask(policy, new Identity(NAME, Set.of(), "x", SubjectKind.SERVICE_ACCOUNT),
                "repository:team-a/app:pull")).isEmpty();
        assertThat(ask(policy, Identity.ANONYMOUS, "repository:team-a/app:pull")).isEmpty();
    }

    @Test
    void userAndGroupSubjectsWithTheRobotsNameDoNotMatchIt() {
        Policy policy = Policy.compile(List.of(grant(Subject.user(NAME), "team-a/**", "*"),
                grant(Subject.group(NAME), "team-a/**", "*")));
        assertThat(ask(policy, new Identity(NAME, Set.of(NAME), "robot", SubjectKind.ROBOT),
                "repository:team-a/app:pull")).isEmpty();
    }

    @Test
    void robotWithoutAGrantGetsNothing() {
        Policy policy = Policy.compile(List.of(grant(Subject.anonymous(), "**", "*")));
        assertThat(ask(policy, ROBOT, "repository:anything:pull")).isEmpty();
    }

    @Test
    void robotCatalogAccessComesOnlyFromItsGrant() {
        Policy policy = Policy.compile(List.of(
                new Grant("r", List.of(ROBOT_SUBJECT), List.of("team-a/**"), Set.of("pull"), true)));
        assertThat(ask(policy, ROBOT, "registry:catalog:*")).containsExactly("registry:catalog:*");
    }
}
