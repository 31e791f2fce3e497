package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.operator.Clients;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RegistryAuthOperator;
import io.registryauth.operator.feed.ApiProxy;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.realm.RealmState;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With leader election on, the replica holding the Lease reconciles; the next one takes over when it stops,
 * loses the Lease or loses its API access, and a replica never exits for it.
 */
class LeaderElectionTest {
    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        // JOSDK checks it may use Leases before electing; the mock server has no authorization API.
        cluster.server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder()
                        .withNewStatus()
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("*").endResourceRule()
                        .withIncomplete(false)
                        .endStatus()
                        .build())
                .always();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Lease lease() {
        return cluster.client.leases().inNamespace("registry-auth").withName("registry-auth-operator").get();
    }

    @Test
    void theLeaseHolderReconciles() {
        OperatorSettings settings = cluster.settings()
                .withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-1");
        assertThat(settings.leaderElection()).isTrue();
        cluster.start(settings);

        Lease lease = await("Lease held", this::lease,
                l -> "replica-1".equals(l.getSpec().getHolderIdentity()));
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isPositive();

        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        assertThat(cluster.signingSecret(auth)).isNotNull();
        assertThat(Objects.requireNonNull(lease()).getSpec().getHolderIdentity()).isEqualTo("replica-1");
    }

    @Test
    void aFollowerTakesOverWhenTheLeaderStops() {
        cluster.start(cluster.settings().withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-1"));
        await("replica-1 leads", this::lease, l -> "replica-1".equals(l.getSpec().getHolderIdentity()));
        RegistryAuthOperator follower = RegistryAuthOperator.start(cluster.client,
                cluster.settings().withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-2"));
        try {
            RegistryAuth auth = cluster.client.resource(
                    cluster.registryAuth("registry", "main", "registry.example.com")).create();
            await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);

            cluster.stopOperator();
            await("replica-2 leads", this::lease, l -> "replica-2".equals(l.getSpec().getHolderIdentity()));
            // The new leader may be writing the status at this moment: an edit that meets its write is retried.
            for (int attempt = 1; ; attempt++) {
                try {
                    cluster.client.resources(RegistryAuth.class).inNamespace("registry").withName("main").edit(a -> {
                        a.getSpec().getToken().setTtl("30m");
                        return a;
                    });
                    break;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt == 10) {
                        throw e;
                    }
                }
            }
            await("generation 2 reconciled by the new leader", () -> cluster.get(auth),
                    a -> RegistryAuthReconcilerTest.ready(a) && a.getStatus().getObservedGeneration() == 2L);
        } finally {
            follower.stop();
        }
    }

    @Test
    void losingTheLeaseStopsReconcilingButNotTheProcessAndTheReplicaStandsAgain() {
        RegistryAuthOperator replica = cluster.start(cluster.settings()
                .withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-1"));
        await("replica-1 leads", this::lease, l -> "replica-1".equals(l.getSpec().getHolderIdentity()));

        // Someone else holds the Lease now, as after an outage longer than the renew deadline. The old
        // behaviour, System.exit, would end this test's JVM here.
        // A merge patch without a resourceVersion: the leader renews every few seconds.
        String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
        cluster.client.leases().inNamespace("registry-auth").withName(OperatorSettings.DEFAULT_LEASE_NAME).patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\":{\"holderIdentity\":\"elsewhere\",\"renewTime\":\"" + now
                        + "\",\"acquireTime\":\"" + now + "\"}}");
        await("the loss is noticed", replica::leaseLosses, n -> n >= 1L);

        // "elsewhere" never renews: once its Lease expires, replica-1 takes it again and reconciles.
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("replica-1 leads again", this::lease, l -> "replica-1".equals(l.getSpec().getHolderIdentity()));
        await("Ready, reconciled by the new candidacy", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        assertThat(replica.operator().getRuntimeInfo().isStarted()).isTrue();
    }

    @Test
    void theLeadersApiAccessCutAFollowerTakesOverWhileItsRealmServes() throws Exception {
        try (ApiProxy proxy = new ApiProxy(cluster.server.getPort());
             KubernetesClient leaderClient = Clients.configure(new KubernetesClientBuilder().withConfig(
                     new ConfigBuilder(cluster.client.getConfiguration())
                             .withMasterUrl("http://127.0.0.1:" + proxy.port()).build())).build()) {
            RegistryAuthOperator leader = RegistryAuthOperator.start(leaderClient, cluster.settings()
                    .withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-1"));
            RegistryAuthOperator follower = null;
            RealmState followerRealm = new RealmState();
            RealmFeed followerFeed = RealmFeed.start(cluster.client, cluster.settings(), followerRealm);
            try {
                await("replica-1 leads", this::lease, l -> "replica-1".equals(l.getSpec().getHolderIdentity()));
                follower = RegistryAuthOperator.start(cluster.client, cluster.settings()
                        .withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-2"));

                proxy.cut();
                await("replica-2 leads once replica-1's Lease expired", this::lease,
                        l -> "replica-2".equals(l.getSpec().getHolderIdentity()));
                RegistryAuth auth = cluster.client.resource(
                        cluster.registryAuth("registry", "main", "registry.example.com")).create();
                await("Ready, reconciled by the new leader", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
                await("the follower's realm serves it", () -> followerRealm.current().realm("registry.example.com"),
                        java.util.Optional::isPresent);
                await("the cut leader stopped reconciling without exiting", leader::leaseLosses, n -> n >= 1L);
            } finally {
                followerFeed.close();
                if (follower != null) {
                    follower.stop();
                }
                leader.stop();
            }
        }
    }
}
