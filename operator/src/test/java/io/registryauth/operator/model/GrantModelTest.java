package io.registryauth.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.TenancySpec;
import io.registryauth.realm.policy.Grant;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GrantModelTest {

    static RegistryAuth registryAuth(String namespace, String name) {
        RegistryAuth auth = new RegistryAuth();
        auth.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        auth.getSpec().setService("registry.example.com");
        return auth;
    }

    static RepositoryAccess grant(String namespace, String name, List<String> repositories,
                                  RepositoryAction... actions) {
        RepositoryAccess grant = new RepositoryAccess();
        grant.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        grant.getSpec().setRegistry(new RegistryRef("main", "registry"));
        grant.getSpec().setSubjects(List.of(new GrantSubject(GrantSubject.Kind.USER, "alice", null)));
        grant.getSpec().setRepositories(List.of(repositories.toArray(String[]::new)));
        grant.getSpec().setActions(List.of(actions));
        return grant;
    }

    private static List<String> reasons(List<GrantModel.Problem> problems) {
        return problems.stream().map(GrantModel.Problem::reason).toList();
    }

    @Test
    void aGrantInTheRegistryAuthsNamespaceMayCoverAnyRepository() {
        RepositoryAccess grant = grant("registry", "all", List.of("**"), RepositoryAction.ALL);
        grant.getSpec().setCatalog(true);

        assertThat(GrantModel.problems(grant, registryAuth("registry", "main"))).isEmpty();
    }

    @Test
    void missingRegistryAuthIsNamed() {
        RepositoryAccess grant = grant("team-a", "g", List.of("team-a/**"), RepositoryAction.PULL);

        List<GrantModel.Problem> problems = GrantModel.problems(grant, null);

        assertThat(reasons(problems)).containsExactly(GrantModel.REGISTRY_AUTH_NOT_FOUND);
        assertThat(problems.get(0).message()).contains("registry/main");
    }

    @Test
    void registryNamespaceDefaultsToTheGrantsOwnInTheMessage() {
        RepositoryAccess grant = grant("team-a", "g", List.of("team-a/**"), RepositoryAction.PULL);
        grant.getSpec().setRegistry(new RegistryRef("main", null));

        assertThat(GrantModel.problems(grant, null).get(0).message()).contains("team-a/main");
    }

    @Test
    void invalidPatternsAreReportedOneByOne() {
        RepositoryAccess grant = grant("registry", "g", List.of("Team/**", "ok/**", "a//b"), RepositoryAction.PULL);

        List<GrantModel.Problem> problems = GrantModel.problems(grant, registryAuth("registry", "main"));

        assertThat(reasons(problems)).containsExactly(GrantModel.INVALID_PATTERN, GrantModel.INVALID_PATTERN);
        assertThat(problems.get(0).message()).contains("Team/**").contains("lowercase");
    }

    @Test
    void crossNamespaceGrantsStayInsideTheDefaultTenancy() {
        RegistryAuth target = registryAuth("registry", "main");

        assertThat(GrantModel.problems(grant("team-a", "ok", List.of("team-a/**", "team-a/app"),
                RepositoryAction.PUSH), target)).isEmpty();

        List<GrantModel.Problem> problems = GrantModel.problems(grant("team-a", "wide",
                List.of("team-a/**", "team-ab/**", "**"), RepositoryAction.PULL), target);
        assertThat(reasons(problems)).containsExactly(GrantModel.OUTSIDE_TENANCY, GrantModel.OUTSIDE_TENANCY);
        assertThat(problems.get(0).message()).contains("team-ab/**").contains("team-a/**").contains("team-a");
    }

    @Test
    void customTenancyPatternIsExpandedWithTheGrantsNamespace() {
        RegistryAuth target = registryAuth("registry", "main");
        TenancySpec tenancy = new TenancySpec();
        tenancy.setNamespaceRepositories("tenants/${namespace}/**");
        target.getSpec().setTenancy(tenancy);

        assertThat(GrantModel.problems(grant("team-a", "g", List.of("tenants/team-a/*"), RepositoryAction.PULL),
                target)).isEmpty();
        assertThat(reasons(GrantModel.problems(grant("team-a", "g", List.of("team-a/**"), RepositoryAction.PULL),
                target))).containsExactly(GrantModel.OUTSIDE_TENANCY);
    }

    @Test
    void crossNamespaceCatalogAccessIsRefused() {
        RepositoryAccess grant = grant("team-a", "g", List.of("team-a/**"), RepositoryAction.PULL);
        grant.getSpec().setCatalog(true);

        assertThat(reasons(GrantModel.problems(grant, registryAuth("registry", "main"))))
                .containsExactly(GrantModel.OUTSIDE_TENANCY);
    }

    @Test
    void namedSubjectsNeedNames() {
        RepositoryAccess grant = grant("registry", "g", List.of("a/**"), RepositoryAction.PULL);
        grant.getSpec().setSubjects(List.of(
                new GrantSubject(GrantSubject.Kind.USER, null, null),
                new GrantSubject(GrantSubject.Kind.GROUP, " ", null),
                new GrantSubject(GrantSubject.Kind.ANONYMOUS, null, null),
                new GrantSubject(GrantSubject.Kind.SERVICE_ACCOUNT, "builder", null)));

        List<GrantModel.Problem> problems = GrantModel.problems(grant, registryAuth("registry", "main"));

        assertThat(reasons(problems)).containsExactly(GrantModel.INVALID_SUBJECT, GrantModel.INVALID_SUBJECT);
        assertThat(problems.get(0).message()).startsWith("spec.subjects[0]").contains("User");
        assertThat(problems.get(1).message()).startsWith("spec.subjects[1]").contains("Group");
    }

    @Test
    void emptyGrantsSayNothingIsGranted() {
        RepositoryAccess grant = grant("registry", "g", List.of());
        assertThat(reasons(GrantModel.problems(grant, registryAuth("registry", "main"))))
                .containsExactly(GrantModel.NOTHING_GRANTED);

        RepositoryAccess noActions = grant("registry", "g", List.of("a/**"));
        assertThat(reasons(GrantModel.problems(noActions, registryAuth("registry", "main"))))
                .containsExactly(GrantModel.NOTHING_GRANTED);
    }

    @Test
    void translatesSubjectsAndDefaultsServiceAccountNamespace() {
        RepositoryAccess grant = grant("team-a", "builders", List.of("team-a/**"), RepositoryAction.PULL,
                RepositoryAction.PUSH);
        grant.getSpec().setSubjects(List.of(
                new GrantSubject(GrantSubject.Kind.USER, "alice", null),
                new GrantSubject(GrantSubject.Kind.GROUP, "developers", null),
                new GrantSubject(GrantSubject.Kind.SERVICE_ACCOUNT, "builder", null),
                new GrantSubject(GrantSubject.Kind.SERVICE_ACCOUNT, "ci", "tools"),
                new GrantSubject(GrantSubject.Kind.ANONYMOUS, null, null),
                new GrantSubject(GrantSubject.Kind.AUTHENTICATED, null, null)));

        Grant translated = GrantModel.toGrant(grant);

        assertThat(translated.id()).isEqualTo("team-a/builders");
        assertThat(translated.subjects()).containsExactly(Subject.user("alice"), Subject.group("developers"),
                Subject.serviceAccount("team-a", "builder"), Subject.serviceAccount("tools", "ci"),
                Subject.anonymous(), Subject.authenticated());
        assertThat(translated.actions()).isEqualTo(Set.of("pull", "push"));
        assertThat(translated.repositoryPatterns()).containsExactly("team-a/**");
    }

    @Test
    void aGrantWithCredentialsNeedsNoSubjectsAndNamesItsRobot() {
        RepositoryAccess grant = grant("team-a", "pull", List.of("team-a/**"), RepositoryAction.PULL);
        grant.getSpec().setSubjects(List.of());
        grant.getSpec().setCredentials(new CredentialsSpec("team-a-pull"));

        assertThat(GrantModel.problems(grant, registryAuth("registry", "main"))).isEmpty();
        assertThat(GrantModel.toGrant(grant).subjects())
                .containsExactly(new Subject(SubjectKind.ROBOT, "robot$team-a$pull"));
    }

    @Test
    void aGrantWithoutSubjectsOrCredentialsIsRejected() {
        RepositoryAccess grant = grant("team-a", "nobody", List.of("team-a/**"), RepositoryAction.PULL);
        grant.getSpec().setSubjects(List.of());

        assertThat(reasons(GrantModel.problems(grant, registryAuth("registry", "main"))))
                .containsExactly(GrantModel.INVALID_SUBJECT);
    }

    @Test
    void subjectsAndRobotBothGetTheGrant() {
        RepositoryAccess grant = grant("team-a", "build", List.of("team-a/**"), RepositoryAction.PUSH);
        grant.getSpec().setCredentials(new CredentialsSpec("team-a-push"));

        assertThat(GrantModel.toGrant(grant).subjects()).containsExactly(Subject.user("alice"),
                new Subject(SubjectKind.ROBOT, "robot$team-a$build"));
    }

    @Test
    void unreadableRotationPeriodsAreNamed() {
        RepositoryAccess grant = grant("team-a", "pull", List.of("team-a/**"), RepositoryAction.PULL);
        CredentialsSpec credentials = new CredentialsSpec("team-a-pull");
        credentials.setRotationPeriod("daily");
        credentials.setGracePeriod("1 hour");
        grant.getSpec().setCredentials(credentials);

        List<GrantModel.Problem> problems = GrantModel.problems(grant, registryAuth("registry", "main"));

        assertThat(reasons(problems)).containsExactly(GrantModel.INVALID_CREDENTIALS, GrantModel.INVALID_CREDENTIALS);
        assertThat(problems.get(0).message()).startsWith("spec.credentials.rotationPeriod");
        assertThat(problems.get(1).message()).startsWith("spec.credentials.gracePeriod");
    }

    @Test
    void aGracePeriodReachingPastTheNextRotationIsRejected() {
        RepositoryAccess grant = grant("team-a", "pull", List.of("team-a/**"), RepositoryAction.PULL);
        CredentialsSpec credentials = new CredentialsSpec("team-a-pull");
        credentials.setRotationPeriod("30m");
        grant.getSpec().setCredentials(credentials);

        List<GrantModel.Problem> problems = GrantModel.problems(grant, registryAuth("registry", "main"));

        assertThat(reasons(problems)).containsExactly(GrantModel.INVALID_CREDENTIALS);
        assertThat(problems.get(0).message()).contains("gracePeriod (1h)", "rotationPeriod (30m)");
        credentials.setGracePeriod("29m");
        assertThat(GrantModel.problems(grant, registryAuth("registry", "main"))).isEmpty();
        credentials.setRotationPeriod("0");
        credentials.setGracePeriod("48h");
        assertThat(GrantModel.problems(grant, registryAuth("registry", "main"))).isEmpty();
    }

    @Test
    void aRobotNameTooLongForBasicAuthIsRejected() {
        RepositoryAccess grant = grant("team-a", "g".repeat(250), List.of("team-a/**"), RepositoryAction.PULL);
        grant.getSpec().setCredentials(new CredentialsSpec("team-a-pull"));

        assertThat(reasons(GrantModel.problems(grant, registryAuth("registry", "main"))))
                .containsExactly(GrantModel.INVALID_CREDENTIALS);
    }
}
