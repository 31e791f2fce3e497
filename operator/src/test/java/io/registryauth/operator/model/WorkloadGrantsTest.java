package io.registryauth.operator.model;

import static io.registryauth.operator.model.Fixtures.registryAuth;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.WorkloadIdentitySpec;
import io.registryauth.operator.sources.IdentitySource;
import io.registryauth.operator.sources.Sources;
import io.registryauth.operator.sources.WorkloadSource;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.oidc.WorkloadProvider;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.policy.WorkloadMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Workload providers and Workload subjects as the operator reads them: realm values, grants, status problems. */
class WorkloadGrantsTest {
    private final RegistryAuth auth = withGithub(registryAuth("registry", "main"));

    static RegistryAuth withGithub(RegistryAuth auth) {
        WorkloadIdentitySpec github = new WorkloadIdentitySpec();
        github.setName("github");
        github.setIssuer(WorkloadIdentitySpec.GITHUB_ACTIONS_ISSUER);
        auth.getSpec().getAuthentication().setWorkloadIdentity(new ArrayList<>(List.of(github)));
        return auth;
    }

    static GrantSubject workload(String provider, Map<String, String> claims, Map<String, String> patterns) {
        GrantSubject subject = new GrantSubject(GrantSubject.Kind.WORKLOAD, null, null);
        subject.setProvider(provider);
        subject.setClaims(claims);
        subject.setClaimPatterns(patterns);
        return subject;
    }

    static RepositoryAccess ciGrant(String namespace, List<GrantSubject> subjects, String pattern) {
        RepositoryAccess grant = Fixtures.grant(namespace, "ci", "unused", List.of(pattern), RepositoryAction.PUSH,
                RepositoryAction.PULL);
        grant.getSpec().setSubjects(subjects);
        return grant;
    }

    private static List<String> messages(List<GrantModel.Problem> problems) {
        return problems.stream().map(GrantModel.Problem::message).toList();
    }

    @Test
    void aMainBranchGrantIsEnforcedAndMatchesItsJobsOnly() {
        RepositoryAccess grant = ciGrant("registry", List.of(workload("github",
                Map.of("repository_owner_id", "1001"), Map.of("ref", "refs/heads/main"))), "${claims.repository}/**");
        assertThat(GrantModel.problems(grant, auth)).isEmpty();

        Policy policy = Policy.compile(List.of(GrantModel.toGrant(grant)));
        Map<String, Object> claims = new HashMap<>(Map.of("sub", "repo:acme/app:ref:refs/heads/main",
                "repository", "acme/app", "repository_owner_id", "1001", "ref", "refs/heads/main"));
        Identity job = new Identity("github:x", Set.of(), "workload:github", SubjectKind.WORKLOAD, claims);
        assertThat(policy.authorize(job, List.of(Fixtures.repository("acme/app/api", "push")))).hasSize(1);
        assertThat(policy.authorize(job, List.of(Fixtures.repository("acme/web", "push")))).isEmpty();
        claims.put("ref", "refs/heads/feature");
        Identity branch = new Identity("github:x", Set.of(), "workload:github", SubjectKind.WORKLOAD, claims);
        assertThat(policy.authorize(branch, List.of(Fixtures.repository("acme/app/api", "push")))).isEmpty();
    }

    @Test
    void unusableWorkloadSubjectsAreReportedInTheStatus() {
        RepositoryAccess grant = ciGrant("registry", List.of(
                workload("gitlab", Map.of("project_id", "42"), Map.of()),
                workload("github", Map.of(), Map.of("ref", "refs/heads/main")),
                workload("github", Map.of("sub", "repo:acme/app:ref:refs/heads/main"), Map.of()),
                workload("github", Map.of("repository_id", "1"), Map.of("repository", "acme/*"))), "acme/**");
        grant.getSpec().getSubjects().get(0).setCondition("claims.ref ==");
        List<String> messages = messages(GrantModel.problems(grant, auth));
        assertThat(messages).anyMatch(m -> m.startsWith("spec.subjects[0]: workload identity provider gitlab is not in"));
        assertThat(messages).anyMatch(m -> m.startsWith("spec.subjects[0]: condition: does not compile"));
        assertThat(messages).anyMatch(m -> m.startsWith("spec.subjects[1]: a Workload subject pins at least one claim"));
        assertThat(messages).anyMatch(m -> m.startsWith("spec.subjects[2]: claims.sub: sub is never matched"));
        assertThat(messages).anyMatch(m -> m.startsWith("spec.subjects[3]: claimPatterns.repository: globs are allowed"));
    }

    @Test
    void claimTemplatesNeedAGrantOfWorkloadsOnly() {
        RepositoryAccess mixed = ciGrant("registry", List.of(workload("github", Map.of("repository_id", "1"), Map.of()),
                new GrantSubject(GrantSubject.Kind.USER, "alice", null)), "${claims.repository}/**");
        assertThat(GrantModel.problems(mixed, auth)).extracting(GrantModel.Problem::reason)
                .containsExactly(GrantModel.INVALID_PATTERN);
    }

    @Test
    void tenancyReadsAClaimTemplateAsAnyPath() {
        RepositoryAccess grant = ciGrant("team-a", List.of(workload("github", Map.of("repository_id", "1"), Map.of())),
                "team-a/${claims.repository}/**");
        assertThat(GrantModel.problems(grant, auth)).isEmpty();
        RepositoryAccess outside = ciGrant("team-a", List.of(workload("github", Map.of("repository_id", "1"), Map.of())),
                "${claims.repository}/**");
        assertThat(GrantModel.problems(outside, auth)).extracting(GrantModel.Problem::reason)
                .containsExactly(GrantModel.OUTSIDE_TENANCY);
    }

    @Test
    void aWorkloadIssuerThatIsAlsoAnIdentityProvidersIsLeftOutAndReported() {
        OidcProviderSpec corp = new OidcProviderSpec();
        corp.setName("corp");
        corp.setIssuer(WorkloadIdentitySpec.GITHUB_ACTIONS_ISSUER);
        auth.getSpec().getAuthentication().setOidc(List.of(corp));
        List<GrantModel.Problem> problems = new ArrayList<>();
        Object value = new WorkloadSource().realmValue(new IdentitySource.Inputs(auth, Map.of(), List.of(), Map.of()),
                problems).orElseThrow();
        assertThat(((WorkloadProvider.Providers) value).all()).isEmpty();
        assertThat(problems).extracting(GrantModel.Problem::reason).containsExactly(WorkloadSource.WORKLOAD_IDENTITY_CONFLICT);
    }

    @Test
    void providerDefaultsAreOneHourAndTheService() {
        List<GrantModel.Problem> problems = new ArrayList<>();
        WorkloadProvider.Providers value = (WorkloadProvider.Providers) new WorkloadSource().realmValue(
                new IdentitySource.Inputs(auth, Map.of(), List.of(), Map.of()), problems).orElseThrow();
        assertThat(problems).isEmpty();
        assertThat(value.all()).containsExactly(new WorkloadProvider("github", WorkloadIdentitySpec.GITHUB_ACTIONS_ISSUER,
                List.of(), null, Duration.ofHours(1)));
    }

    @Test
    void workloadSourceIsAskedFirst() {
        assertThat(Sources.ALL.get(0)).isInstanceOf(WorkloadSource.class);
    }

    @Test
    void schemaAndRealmAgreeOnTheClaimsGlobsMayTest() {
        Matcher names = Pattern.compile("'([a-z_]+)'").matcher(GrantSubject.PATTERN_CLAIMS_CEL);
        List<String> inSchema = new ArrayList<>();
        while (names.find()) {
            inSchema.add(names.group(1));
        }
        assertThat(inSchema).containsExactlyInAnyOrderElementsOf(WorkloadMatch.PATTERN_CLAIMS);
    }
}
