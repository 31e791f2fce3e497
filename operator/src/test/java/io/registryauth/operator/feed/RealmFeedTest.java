package io.registryauth.operator.feed;

import static io.registryauth.operator.model.Fixtures.grant;
import static io.registryauth.operator.model.Fixtures.registryAuth;
import static io.registryauth.operator.model.Fixtures.repository;
import static io.registryauth.operator.model.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.OidcIntrospectionSpec;
import io.registryauth.api.v1alpha1.OidcProviderSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.auth.ServiceAccountLogin;
import io.registryauth.operator.model.Fixtures;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.RobotPasswords;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.registryauth.realm.scope.ResourceScope;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The feed against the Fabric8 mock server in CRUD mode: the same informers a replica runs. */
class RealmFeedTest {
    private static final Duration GENEROUS = Duration.ofSeconds(15);
    private static final OperatorSettings SETTINGS = OperatorSettings.defaults()
            .withPublicRealmUrl("https://auth.example.com/token");

    /** The mock server logs every request at INFO; held so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private KubernetesMockServer server;
    private KubernetesClient client;
    private RealmState state;
    private RealmFeed feed;
    private final RegistryAuth auth = registryAuth("registry", "main");

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient(new VertxHttpClientFactory());
        state = new RealmState();
        client.resource(Fixtures.htpasswdSecret("registry", Map.of("alice", "wonderland"))).create();
        client.resource(auth).create();
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.close();
        }
        client.close();
        server.destroy();
    }

    private Optional<RealmConfig> realm() {
        return state.current().realm(Fixtures.SERVICE);
    }

    private boolean allows(Identity who, ResourceScope scope) {
        return realm().map(r -> !r.policy().authorize(who, List.of(scope)).isEmpty()).orElse(false);
    }

    /** Polls the snapshot until {@code condition} holds; returns how long that took. */
    private Duration await(Predicate<RealmState> condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.test(state)) {
            if (System.nanoTime() - start > GENEROUS.toNanos()) {
                throw new AssertionError("the realm snapshot did not reach the expected state within " + GENEROUS);
            }
            Thread.sleep(1);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void realmAppearsWithItsSigningSecretAndFollowsGrantEdits() throws Exception {
        client.resource(grant("team-a", "alice", "alice", List.of("team-a/**"), RepositoryAction.PULL)).create();
        feed = RealmFeed.start(client, SETTINGS, state);

        await(s -> feed.synced());
        Thread.sleep(200);
        assertThat(realm()).as("no realm before its signing Secret exists").isEmpty();

        client.resource(Fixtures.signingSecret(auth)).create();
        await(s -> allows(user("alice"), repository("team-a/app", "pull")));
        assertThat(realm().orElseThrow().realmUrl()).isEqualTo("https://auth.example.com/token");
        assertThat(allows(user("alice"), repository("team-a/app", "push"))).isFalse();

        List<Long> latencies = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            boolean push = round % 2 == 0;
            RepositoryAccess edited = client.resources(RepositoryAccess.class).inNamespace("team-a")
                    .withName("alice").get();
            edited.getSpec().setActions(push ? List.of(RepositoryAction.PULL, RepositoryAction.PUSH)
                    : List.of(RepositoryAction.PULL));
            long start = System.nanoTime();
            client.resource(edited).update();
            await(s -> allows(user("alice"), repository("team-a/app", "push")) == push);
            latencies.add((System.nanoTime() - start) / 1_000_000);
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.println("grant change enforced after " + latencies + " ms (median " + sorted.get(2) + " ms)");
        assertThat(sorted.get(4)).isLessThan(GENEROUS.toMillis());
    }

    /**
     * The operator writes each grant's status and finalizer (10,000 grants: 20,000 writes at a start); neither
     * changes what the realm reads, so neither may rebuild it: the snapshot served stays the same object.
     */
    @Test
    void statusAndFinalizerWritesDoNotRebuildTheRealm() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        client.resource(grant("team-a", "alice", "alice", List.of("team-a/**"), RepositoryAction.PULL)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> allows(user("alice"), repository("team-a/app", "pull")));
        Thread.sleep(200);
        RealmSnapshot served = state.current();

        for (int i = 0; i < 5; i++) {
            int round = i;
            client.resources(RepositoryAccess.class).inNamespace("team-a").withName("alice").editStatus(g -> {
                io.registryauth.api.v1alpha1.RepositoryAccessStatus status =
                        new io.registryauth.api.v1alpha1.RepositoryAccessStatus();
                status.setObservedGeneration((long) round);
                g.setStatus(status);
                return g;
            });
        }
        client.resources(RepositoryAccess.class).inNamespace("team-a").withName("alice").edit(g -> {
            g.getMetadata().setFinalizers(List.of("registryauth.io/test"));
            return g;
        });
        RepositoryAccess written = client.resources(RepositoryAccess.class).inNamespace("team-a").withName("alice").get();
        assertThat(written.getStatus().getObservedGeneration()).isEqualTo(4L);
        assertThat(written.getMetadata().getFinalizers()).containsExactly("registryauth.io/test");
        Thread.sleep(500); // time for a rebuild, had any been scheduled
        assertThat(state.current()).as("the snapshot after status and finalizer writes").isSameAs(served);

        client.resources(RepositoryAccess.class).inNamespace("team-a").withName("alice").edit(g -> {
            g.getSpec().setActions(List.of(RepositoryAction.PULL, RepositoryAction.PUSH));
            return g;
        });
        await(s -> allows(user("alice"), repository("team-a/app", "push")));
        client.resources(RepositoryAccess.class).inNamespace("team-a").withName("alice").delete();
        await(s -> !allows(user("alice"), repository("team-a/app", "pull")));
    }

    @Test
    void aBadGrantOnlyRemovesItself() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        client.resource(grant("team-a", "alice", "alice", List.of("team-a/**"), RepositoryAction.PULL)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> allows(user("alice"), repository("team-a/app", "pull")));

        client.resource(grant("team-b", "greedy", "bob", List.of("**"), RepositoryAction.PULL)).create();
        client.resource(grant("team-a", "typo", "bob", List.of("Team-a/**"), RepositoryAction.PULL)).create();
        client.resource(grant("team-b", "bob", "bob", List.of("team-b/**"), RepositoryAction.PULL)).create();
        await(s -> allows(user("bob"), repository("team-b/app", "pull")));

        assertThat(allows(user("alice"), repository("team-a/app", "pull"))).isTrue();
        assertThat(allows(user("bob"), repository("team-a/app", "pull"))).isFalse();
        assertThat(realm().orElseThrow().policy().size()).isEqualTo(2);

        client.resources(RepositoryAccess.class).inNamespace("team-a").withName("alice").delete();
        await(s -> !allows(user("alice"), repository("team-a/app", "pull")));
    }

    @Test
    void htpasswdChangesReachTheRealm() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> realm().map(r -> r.users().containsKey("alice")).orElse(false));

        client.resource(Fixtures.htpasswdSecret("registry", Map.of("alice", "a", "carol", "c"))).update();

        await(s -> realm().map(r -> r.users().containsKey("carol")).orElse(false));
    }

    @Test
    void keepsServingTheLastSnapshotWhenTheApiServerIsGone() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        client.resource(grant("team-a", "alice", "alice", List.of("team-a/**"), RepositoryAction.PULL)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> allows(user("alice"), repository("team-a/app", "pull")));
        var before = state.current();

        server.destroy();
        Thread.sleep(1500);

        assertThat(state.current()).isSameAs(before);
        assertThat(allows(user("alice"), repository("team-a/app", "pull"))).isTrue();
    }

    @Test
    void theOlderRegistryAuthKeepsAContestedService() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> realm().isPresent());

        RegistryAuth intruder = registryAuth("team-b", "main");
        client.resource(intruder).create();
        client.resource(Fixtures.htpasswdSecret("team-b", Map.of("mallory", "m"))).create();
        client.resource(Fixtures.signingSecret(intruder)).create();
        client.resource(grant("team-b", "alice", "alice", List.of("team-b/**"), RepositoryAction.PULL)).create();
        Thread.sleep(500);

        assertThat(realm().orElseThrow().id()).isEqualTo("registry/main");
    }

    @Test
    void aClusterWithoutRegistryAuthsStillGetsASnapshot() throws Exception {
        client.resource(auth).delete();
        RealmSnapshot initial = new RealmSnapshot(Map.of());
        state = new RealmState(initial);
        feed = RealmFeed.start(client, SETTINGS, state);

        await(s -> s.current() != initial);

        assertThat(state.current().byService()).isEmpty();
    }

    @Test
    void theFirstSnapshotWaitsForTheSecretsSoItHoldsTheRealm() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        RealmSnapshot initial = new RealmSnapshot(Map.of());
        state = new RealmState(initial);
        feed = RealmFeed.start(client, SETTINGS, state);

        await(s -> s.current() != initial);

        assertThat(realm()).as("the first snapshot swapped in").isPresent();
    }

    @Test
    void identityProvidersFollowTheirClientSecret() throws Exception {
        OidcProviderSpec corp = new OidcProviderSpec();
        corp.setName("corp");
        corp.setIssuer("https://idp.example.com/realms/corp");
        corp.setIntrospection(new OidcIntrospectionSpec("registry-auth", new SecretKeyReference("idp-client", "secret")));
        RegistryAuth withProvider = client.resources(RegistryAuth.class).inNamespace("registry").withName("main").get();
        withProvider.getSpec().getAuthentication().setOidc(List.of(corp));
        client.resource(withProvider).update();
        client.resource(Fixtures.signingSecret(auth)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> realm().isPresent());
        assertThat(realm().orElseThrow().oidcProviders()).as("no provider without its client secret").isEmpty();

        client.resource(new SecretBuilder().withNewMetadata().withNamespace("registry").withName("idp-client")
                .endMetadata().withData(Map.of("secret", Fixtures.base64("first"))).build()).create();
        await(s -> realm().map(r -> r.oidcProviders().size() == 1).orElse(false));
        assertThat(realm().orElseThrow().oidcProviders().get(0).introspection())
                .isEqualTo(new OidcProvider.Introspection("registry-auth", "first"));

        client.resource(new SecretBuilder().withNewMetadata().withNamespace("registry").withName("idp-client")
                .endMetadata().withData(Map.of("secret", Fixtures.base64("second"))).build()).update();
        await(s -> realm().map(r -> r.oidcProviders().get(0).introspection().clientSecret().equals("second"))
                .orElse(false));
    }

    @Test
    void robotsFollowTheirPullSecretsAndGoWithTheirGrant() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        RepositoryAccess pull = Fixtures.robotGrant("team-a", "pull", "team-a-pull", List.of("team-a/**"),
                RepositoryAction.PULL);
        client.resource(pull).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> realm().map(r -> r.policy().size() == 1).orElse(false));
        assertThat(realm().orElseThrow().robots()).as("no robot before its Secret exists").isEmpty();

        RobotPasswords.Generated first = RobotPasswords.generate();
        client.resource(Fixtures.pullSecret(pull, first.hash(), null, null)).create();
        await(s -> robotAccepts("robot$team-a$pull", first.password()));
        assertThat(allows(Fixtures.robot(pull), repository("team-a/app", "pull"))).isTrue();

        RobotPasswords.Generated second = RobotPasswords.generate();
        client.resource(Fixtures.pullSecret(pull, second.hash(), null, null)).update();
        await(s -> robotAccepts("robot$team-a$pull", second.password()));
        assertThat(robotAccepts("robot$team-a$pull", first.password())).isFalse();

        long start = System.nanoTime();
        client.resources(RepositoryAccess.class).inNamespace("team-a").withName("pull").delete();
        await(s -> realm().map(r -> r.robots().isEmpty()).orElse(false));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("robot revoked " + millis + " ms after its grant was deleted");
        assertThat(millis).isLessThan(1000);
    }

    private boolean robotAccepts(String name, String password) {
        return realm().map(r -> r.robots().get(name)).map(robot -> robot.accepts(password, Instant.now()))
                .orElse(false);
    }

    @Test
    void serviceAccountLoginFollowsTheRegistryAuth() throws Exception {
        client.resource(Fixtures.signingSecret(auth)).create();
        feed = RealmFeed.start(client, SETTINGS, state);
        await(s -> realm().isPresent());
        assertThat(realm().orElseThrow().source(ServiceAccountLogin.class)).as("disabled by default").isEmpty();

        RegistryAuth enabled = client.resources(RegistryAuth.class).inNamespace("registry").withName("main").get();
        enabled.getSpec().getAuthentication().getServiceAccounts().setEnabled(true);
        enabled.getSpec().getAuthentication().getServiceAccounts().setAudiences(List.of("registry.example.com", "ci"));
        client.resource(enabled).update();

        await(s -> realm().map(r -> r.source(ServiceAccountLogin.class).isPresent()).orElse(false));
        assertThat(realm().orElseThrow().source(ServiceAccountLogin.class).orElseThrow().audiences())
                .containsExactly("registry.example.com", "ci");
    }
}
