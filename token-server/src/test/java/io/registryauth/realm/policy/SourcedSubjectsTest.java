package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.scope.ScopeParser;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Identities of different sources never share a grant, a group of Kubernetes' or a ${user} segment. */
class SourcedSubjectsTest {
    private static final Identity HTPASSWD_BOB = new Identity("bob", Set.of("admins"), "htpasswd", SubjectKind.USER);
    private static final Identity PROVIDER_BOB = new Identity("bob", Set.of("admins"), "oidc:flat", SubjectKind.USER);
    private static final Identity BUILDER = new Identity("team-a:builder",
            Set.of("system:serviceaccounts", "system:serviceaccounts:team-a"), "serviceaccount",
            SubjectKind.SERVICE_ACCOUNT);

    private static List<String> granted(Policy policy, Identity who, String... scopes) {
        List<ResourceScope> requested = ScopeParser.parse(List.of(scopes));
        return policy.authorize(who, requested).stream().map(ResourceScope::toScopeString).toList();
    }

    @Test
    void aSubjectNamingASourceMatchesOnlyThatSourcesIdentities() {
        Policy policy = Policy.compile(List.of(
                new Grant("g/bob", List.of(Subject.user("bob").from("htpasswd")), List.of("bob/**"), Set.of("push"),
                        false),
                new Grant("g/admins", List.of(Subject.group("admins").from("htpasswd")), List.of("**"), Set.of("pull"),
                        false),
                new Grant("g/any-bob", List.of(Subject.user("bob")), List.of("shared/**"), Set.of("pull"), false)));

        assertThat(granted(policy, HTPASSWD_BOB, "repository:bob/app:push", "repository:x/y:pull"))
                .containsExactly("repository:bob/app:push", "repository:x/y:pull");
        assertThat(granted(policy, PROVIDER_BOB, "repository:bob/app:push", "repository:x/y:pull")).isEmpty();
        assertThat(granted(policy, PROVIDER_BOB, "repository:shared/app:pull"))
                .as("a subject without a source matches the name from any source")
                .containsExactly("repository:shared/app:pull");
    }

    @Test
    void systemGroupsMatchServiceAccountsOnly() {
        Policy policy = Policy.compile(List.of(new Grant("g/pods", List.of(Subject.group("system:serviceaccounts:team-a")),
                List.of("team-a/**"), Set.of("pull", "push"), false)));
        Identity impostor = new Identity("mallory", Set.of("system:serviceaccounts:team-a"), "oidc:flat",
                SubjectKind.USER);

        assertThat(granted(policy, BUILDER, "repository:team-a/app:push")).containsExactly("repository:team-a/app:push");
        assertThat(granted(policy, impostor, "repository:team-a/app:push")).isEmpty();
    }

    @Test
    void userVariableGivesEveryIdentityItsOwnSegment() {
        assertThat(Policy.userVariable(HTPASSWD_BOB)).isEqualTo("bob");
        assertThat(Policy.userVariable(new Identity("corp:alice", Set.of(), "oidc:corp", SubjectKind.USER)))
                .isEqualTo("corp--alice");
        assertThat(Policy.userVariable(BUILDER)).isEqualTo("system--serviceaccount--team-a--builder");
        // No other identity can land on those segments: names holding the separator get none.
        assertThat(Policy.userVariable(new Identity("corp--alice", Set.of(), "htpasswd", SubjectKind.USER))).isNull();
        assertThat(Policy.userVariable(new Identity("system:serviceaccount:team-a:builder", Set.of(), "oidc:flat",
                SubjectKind.USER))).isNull();
        assertThat(Policy.userVariable(new Identity("Alice Smith", Set.of(), "oidc:corp", SubjectKind.USER))).isNull();
        assertThat(Policy.userVariable(Identity.ANONYMOUS)).isNull();

        Policy policy = Policy.compile(List.of(new Grant("g/home", List.of(Subject.authenticated()),
                List.of("home/${user}/**"), Set.of("pull", "push"), false)));
        Identity alice = new Identity("corp:alice", Set.of(), "oidc:corp", SubjectKind.USER);
        assertThat(granted(policy, alice, "repository:home/corp--alice/app:push", "repository:home/alice/app:push"))
                .containsExactly("repository:home/corp--alice/app:push");
        assertThat(granted(policy, BUILDER, "repository:home/system--serviceaccount--team-a--builder/x:push"))
                .hasSize(1);
    }
}
