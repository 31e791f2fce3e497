package io.registryauth.operator.model;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;
import static io.registryauth.operator.model.Fixtures.repository;
import static io.registryauth.operator.model.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.OidcCliSpec;
import io.registryauth.api.v1alpha1.OidcIntrospectionSpec;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.api.v1alpha1.SecretSource;
import io.registryauth.operator.sources.OidcSource;
import io.registryauth.operator.sources.HtpasswdSource;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.oidc.CliClient;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.time.Instant;
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
        assertThat(reasons(outcome)).containsExactly(HtpasswdSource.USERS_UNAVAILABLE);
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
        assertThat(reasons(outcome)).containsExactly(HtpasswdSource.USERS_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("line 1").doesNotContain(hash);
    }

    @Test
    void malformedHtpasswdLinesCostOnlyThoseLines() {
        String good = Fixtures.base64(MALFORMED_AMONG_GOOD);
        Secret mixed = new SecretBuilder(users).withData(Map.of("htpasswd", good)).build();

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, mixed, null, List.of()),
                SETTINGS);

        RealmConfig realm = outcome.realm().orElseThrow();
        assertThat(realm.users()).containsOnlyKeys("alice", "bob");
        assertThat(reasons(outcome)).containsExactly(HtpasswdSource.USERS_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).startsWith("htpasswd line 2: expected user:hash (line skipped); ")
                .contains("htpasswd line 4: user 'carol'").doesNotContain("notahash").doesNotContain("$1$");
    }

    /** alice and bob between a line without a colon and an MD5-crypt line, as the issue's report had it. */
    private static final String MALFORMED_AMONG_GOOD = "alice:" + "$2y$04$zq.aOKP7B1SVUC3SQcnZzulXZo0n8GOB0ogag4Mx6nIm1dmO/BVu2" + "\n"
            + "notahash\n" + "bob:" + "$2y$04$zq.aOKP7B1SVUC3SQcnZzulXZo0n8GOB0ogag4Mx6nIm1dmO/BVu2" + "\n" + "carol:$1$md5$abcdefghij\n";

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

    private static OidcProviderSpec provider(String name, String issuer) {
        OidcProviderSpec spec = new OidcProviderSpec();
        spec.setName(name);
        spec.setIssuer(issuer);
        return spec;
    }

    private static Secret secret(String name, Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withNamespace("registry").withName(name).endMetadata()
                .withData(data.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        e -> Fixtures.base64(e.getValue())))).build();
    }

    private static String caPem() {
        return SigningKey.generate(SigningAlgorithm.ES256, "idp-ca", Instant.now().minusSeconds(60),
                Duration.ofDays(1)).certificatePem();
    }

    /** corp: every field set, introspection and a private CA; github: only what is required. */
    private void twoProviders() {
        OidcProviderSpec corp = provider("corp", "https://idp.example.com/realms/corp");
        corp.setAudiences(List.of("registry"));
        corp.setUsernameClaim("email");
        corp.setGroupsClaim("realm_access.roles");
        corp.setUsernamePrefix("corp:");
        corp.setFixedUsernames(List.of("oauth2accesstoken"));
        corp.setIntrospection(new OidcIntrospectionSpec("registry-auth", new SecretKeyReference("idp-client", "secret")));
        corp.setCaBundleRef(new SecretKeyReference("idp-ca", "ca.crt"));
        corp.setRecheckInterval("90s");
        corp.setCli(new OidcCliSpec("registry-cli", List.of("openid", "offline_access")));
        auth.getSpec().getAuthentication().setOidc(List.of(corp, provider("github", "https://github.example.com")));
    }

    @Test
    void identityProvidersAreMappedWithTheirSecrets() {
        twoProviders();
        String ca = caPem();
        Map<String, Secret> secrets = Map.of(
                "idp-client", secret("idp-client", Map.of("secret", "s3cr3t-value\n")),
                "idp-ca", secret("idp-ca", Map.of("ca.crt", ca)));

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of(),
                secrets), SETTINGS);

        assertThat(outcome.problems()).isEmpty();
        List<OidcProvider> providers = outcome.realm().orElseThrow().oidcProviders();
        assertThat(providers).extracting(OidcProvider::name).containsExactly("corp", "github");
        OidcProvider corp = providers.get(0);
        assertThat(corp.issuer()).isEqualTo("https://idp.example.com/realms/corp");
        assertThat(corp.audiences()).containsExactly("registry");
        assertThat(corp.usernameClaim()).isEqualTo("email");
        assertThat(corp.groupsClaim()).isEqualTo("realm_access.roles");
        assertThat(corp.usernamePrefix()).isEqualTo("corp:");
        assertThat(corp.fixedUsernames()).containsExactly("oauth2accesstoken");
        assertThat(corp.introspection()).isEqualTo(new OidcProvider.Introspection("registry-auth", "s3cr3t-value"));
        assertThat(corp.caBundlePem()).isEqualTo(ca);
        assertThat(corp.recheckInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(corp.cli()).isEqualTo(new CliClient("registry-cli", List.of("openid", "offline_access")));
        OidcProvider github = providers.get(1);
        assertThat(github.usernameClaim()).isEqualTo("preferred_username");
        assertThat(github.audiences()).isEmpty();
        assertThat(github.groupsClaim()).isNull();
        assertThat(github.usernamePrefix()).as("unset: the provider's name keeps its users apart").isEqualTo("github:");
        assertThat(github.sessionMaxAge()).isEqualTo(Duration.ofHours(12));
        assertThat(github.fixedUsernames()).isEmpty();
        assertThat(github.introspection()).isNull();
        assertThat(github.cli()).as("not offered to registry-auth login").isNull();
        assertThat(github.caBundlePem()).isNull();
        assertThat(github.recheckInterval()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aProviderWithoutItsClientSecretIsLeftOutAndTheRealmStillServes() {
        twoProviders();
        Map<String, Secret> secrets = Map.of("idp-ca", secret("idp-ca", Map.of("ca.crt", caPem())));

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of(),
                secrets), SETTINGS);

        RealmConfig realm = outcome.realm().orElseThrow();
        assertThat(realm.oidcProviders()).extracting(OidcProvider::name).containsExactly("github");
        assertThat(realm.users()).containsOnlyKeys("alice", "bob");
        assertThat(reasons(outcome)).containsExactly(OidcSource.IDENTITY_PROVIDER_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("corp", "idp-client", "does not exist");
    }

    @Test
    void aMissingKeyNamesTheKeyButNeverTheSecretsContent() {
        twoProviders();
        Map<String, Secret> secrets = Map.of(
                "idp-client", secret("idp-client", Map.of("client-secret", "s3cr3t-value")),
                "idp-ca", secret("idp-ca", Map.of("ca.crt", caPem())));

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of(),
                secrets), SETTINGS);

        assertThat(outcome.realm().orElseThrow().oidcProviders()).extracting(OidcProvider::name)
                .containsExactly("github");
        assertThat(reasons(outcome)).containsExactly(OidcSource.IDENTITY_PROVIDER_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("idp-client", "has no key secret")
                .doesNotContain("s3cr3t");
    }

    @Test
    void anUnusableCaBundleLeavesItsProviderOut() {
        twoProviders();
        Map<String, Secret> secrets = Map.of(
                "idp-client", secret("idp-client", Map.of("secret", "s3cr3t-value")),
                "idp-ca", secret("idp-ca", Map.of("ca.crt", "not a certificate")));

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of(),
                secrets), SETTINGS);

        assertThat(outcome.realm().orElseThrow().oidcProviders()).extracting(OidcProvider::name)
                .containsExactly("github");
        assertThat(reasons(outcome)).containsExactly(OidcSource.IDENTITY_PROVIDER_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("idp-ca", "ca.crt");
    }

    @Test
    void anInvalidRecheckIntervalLeavesOnlyThatProviderOut() {
        OidcProviderSpec corp = provider("corp", "https://idp.example.com");
        corp.setRecheckInterval("soon");
        auth.getSpec().getAuthentication().setOidc(List.of(corp, provider("other", "https://other.example.com")));

        RealmModel.Outcome outcome = RealmModel.realm(new RealmModel.Inputs(auth, signing, users, null, List.of()),
                SETTINGS);

        assertThat(outcome.realm().orElseThrow().oidcProviders()).extracting(OidcProvider::name)
                .containsExactly("other");
        assertThat(reasons(outcome)).containsExactly(OidcSource.IDENTITY_PROVIDER_UNAVAILABLE);
        assertThat(outcome.problems().get(0).message()).contains("corp", "recheckInterval");
    }

    @Test
    void namesTheSecretsItsSourcesReference() {
        twoProviders();

        assertThat(RealmModel.secretNames(auth)).contains("idp-client", "idp-ca");
        assertThat(RealmModel.secretNames(registryAuth("registry", "plain"))).doesNotContain("idp-client", "idp-ca");
    }
}
