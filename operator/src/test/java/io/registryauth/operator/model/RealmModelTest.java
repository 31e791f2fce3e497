package io.registryauth.operator.model;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;
import static io.registryauth.operator.model.Fixtures.repository;
import static io.registryauth.operator.model.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.api.v1alpha1.SecretSource;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Identity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RealmModelTest {
    private static final OperatorSettings SETTINGS = OperatorSettings.defaults()
            .withPublicRealmUrl("https://auth.example.com/token");

    private final RegistryAuth auth = registryAuth("registry", "main");
    private final Secret signing = Fixtures.signingSecret(auth);
    private final Secret users = Fixtures.htpasswdSecret("registry", Map.of("alice", "wonderland", "bob", "builder"));

    private static List<String> reasons(RealmModel.Outcome outcome) {
        return outcome.problems().stream().map(GrantModel.Problem::reason).toList();
    }

    @Test
    void noRealmUntilTheSigningSecretExists() {
        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, null, users, null, List.of()),
                SETTINGS);

        assertThat(outcome.realm()).isEmpty();
        assertThat(reasons(outcome)).containsExactly(RealmModel.SIGNING_KEY_MISSING);
        assertThat(outcome.problems().get(0).message()).contains("main-signing-keys");
    }

    @Test
    void unreadableSigningSecretIsReportedWithoutKeyMaterial() {
        Secret broken = new SecretBuilder(signing).withData(Map.of("refresh.key", "AAAA",
                "keys.json", Fixtures.base64("[{\"state\":\"active\"}]"))).build();

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, broken, users, null, List.of()),
                SETTINGS);

        assertThat(outcome.realm()).isEmpty();
        assertThat(reasons(outcome)).containsExactly(RealmModel.SIGNING_KEY_MISSING);
    }

    @Test
    void translatesTheWholeRealm() {
        auth.getSpec().getToken().setTtl("20m");
        auth.getSpec().getToken().setRefreshTtl("0");
        auth.getSpec().getAuthentication().setAnonymous(true);
        RepositoryAccess alicePushes = grant("registry", "alice-push", "alice", List.of("team-a/**"),
                RepositoryAction.PULL, RepositoryAction.PUSH);

        RealmConfig realm = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null,
                List.of(alicePushes)), SETTINGS).realm().orElseThrow();

        assertThat(realm.id()).isEqualTo("registry/main");
        assertThat(realm.service()).isEqualTo(Fixtures.SERVICE);
        assertThat(realm.issuer()).isEqualTo("registry-auth/registry/main");
        assertThat(realm.realmUrl()).isEqualTo("https://auth.example.com/token");
        assertThat(realm.tokenTtl()).isEqualTo(Duration.ofMinutes(20));
        assertThat(realm.issuesRefreshTokens()).isFalse();
        assertThat(realm.anonymous()).isTrue();
        assertThat(realm.users()).containsOnlyKeys("alice", "bob");
        assertThat(realm.keys().active().kid()).isNotBlank();
        assertThat(realm.policy().authorize(user("alice"), List.of(repository("team-a/app", "pull", "push"))))
                .containsExactly(repository("team-a/app", "pull", "push"));
        assertThat(realm.policy().authorize(user("bob"), List.of(repository("team-a/app", "pull")))).isEmpty();
    }

    @Test
    void specRealmAndIssuerWinOverDefaults() {
        auth.getSpec().setRealm("https://other.example.com/token");
        auth.getSpec().setIssuer("my-issuer");

        RealmConfig realm = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of()), SETTINGS)
                .realm().orElseThrow();

        assertThat(realm.realmUrl()).isEqualTo("https://other.example.com/token");
        assertThat(realm.issuer()).isEqualTo("my-issuer");
    }

    @Test
    void badGrantsAreLeftOutAndTheRestEnforced() {
        RepositoryAccess good = grant("team-a", "good", "alice", List.of("team-a/**"), RepositoryAction.PUSH,
                RepositoryAction.PULL);
        RepositoryAccess outside = grant("team-a", "greedy", "bob", List.of("**"), RepositoryAction.PULL);
        RepositoryAccess malformed = grant("registry", "typo", "bob", List.of("Team/**"), RepositoryAction.PULL);

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null,
                List.of(good, outside, malformed)), SETTINGS);

        RealmConfig realm = outcome.realm().orElseThrow();
        assertThat(realm.policy().size()).isEqualTo(1);
        assertThat(realm.policy().authorize(user("alice"), List.of(repository("team-a/x", "push")))).hasSize(1);
        assertThat(realm.policy().authorize(user("bob"), List.of(repository("team-b/x", "pull")))).isEmpty();
        assertThat(reasons(outcome)).containsExactlyInAnyOrder(GrantModel.OUTSIDE_TENANCY, GrantModel.INVALID_PATTERN);
        assertThat(outcome.problems()).anySatisfy(p -> assertThat(p.message()).startsWith("RepositoryAccess team-a/greedy"));
    }

    @Test
    void missingHtpasswdSecretLeavesOnlyGrantsForAnonymousCallers() {
        RepositoryAccess open = grant("registry", "open", "alice", List.of("public/**"), RepositoryAction.PULL);
        open.getSpec().getSubjects().get(0).setKind(io.registryauth.api.v1alpha1.GrantSubject.Kind.ANONYMOUS);

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, null, null,
                List.of(open)), SETTINGS);

        RealmConfig realm = outcome.realm().orElseThrow();
        assertThat(realm.users()).isEmpty();
        assertThat(realm.policy().authorize(Identity.ANONYMOUS, List.of(repository("public/x", "pull")))).hasSize(1);
        assertThat(reasons(outcome)).containsExactly(RealmModel.USERS_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("registry-users").contains("does not exist");
    }

    @Test
    void badHtpasswdIsReportedWithoutQuotingTheHash() {
        String hash = "$1$md5hash$abcdefghijklmnopqrstuv";
        Secret bad = new SecretBuilder(users).withData(Map.of("htpasswd", Fixtures.base64("carol:" + hash + "\n")))
                .build();

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, bad, null, List.of()),
                SETTINGS);

        assertThat(outcome.realm()).isPresent();
        assertThat(reasons(outcome)).containsExactly(RealmModel.USERS_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("line 1").doesNotContain(hash);
    }

    @Test
    void groupsComeFromTheirOwnSecret() {
        auth.getSpec().getAuthentication().setGroups(new SecretSource(new SecretKeyReference("registry-groups",
                "groups")));
        Secret groups = new SecretBuilder().withNewMetadata().withNamespace("registry").withName("registry-groups")
                .endMetadata().withStringData(Map.of("groups", "developers: alice\n")).build();
        RepositoryAccess developers = grant("registry", "devs", "x", List.of("shared/**"), RepositoryAction.PULL);
        developers.getSpec().getSubjects().get(0).setKind(io.registryauth.api.v1alpha1.GrantSubject.Kind.GROUP);
        developers.getSpec().getSubjects().get(0).setName("developers");

        RealmConfig realm = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, groups,
                List.of(developers)), SETTINGS).realm().orElseThrow();

        assertThat(realm.users().get("alice").groups()).containsExactly("developers");
        assertThat(realm.policy().authorize(user("alice", "developers"), List.of(repository("shared/a", "pull"))))
                .hasSize(1);
    }

    @Test
    void invalidTokenLifetimeKeepsTheRealmAbsent() {
        auth.getSpec().getToken().setTtl("fifteen minutes");

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of()),
                SETTINGS);

        assertThat(outcome.realm()).isEmpty();
        assertThat(reasons(outcome)).containsExactly(RealmModel.INVALID_SPEC);
    }

    @Test
    void grantsTargetTheirRegistryAuthWithTheNamespaceDefaultingToTheirOwn() {
        RepositoryAccess explicit = grant("team-a", "g", "alice", List.of("team-a/**"), RepositoryAction.PULL);
        RepositoryAccess sameNamespace = grant("registry", "g", "alice", List.of("x/**"), RepositoryAction.PULL);
        sameNamespace.getSpec().setRegistry(new RegistryRef("main", null));
        RepositoryAccess elsewhere = grant("team-a", "g2", "alice", List.of("x/**"), RepositoryAction.PULL);
        elsewhere.getSpec().setRegistry(new RegistryRef("main", null));

        assertThat(RealmModel.targets(explicit, auth)).isTrue();
        assertThat(RealmModel.targets(sameNamespace, auth)).isTrue();
        assertThat(RealmModel.targets(elsewhere, auth)).isFalse();
    }
}
