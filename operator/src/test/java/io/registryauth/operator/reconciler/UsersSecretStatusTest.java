package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static io.registryauth.operator.reconciler.RegistryAuthReconcilerTest.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.operator.sources.HtpasswdSource;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.realm.RealmState;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user's htpasswd Secret carries no label of ours, so the reconciler does not watch it; the realm feed
 * does, and signals. Without the signal the reconciler would only notice at its next periodic look
 * ({@link RegistryAuthReconciler#RECHECK}, 30 s): waiting for less than that tells the two apart.
 */
class UsersSecretStatusTest {
    private static final Duration SOONER_THAN_A_RECHECK = RegistryAuthReconciler.RECHECK.dividedBy(2);

    private MockCluster cluster;
    private RealmFeed feed;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        RealmProblemSignal problems = new RealmProblemSignal();
        OperatorSettings settings = cluster.settings();
        feed = RealmFeed.start(cluster.client, settings, new RealmState(), problems);
        cluster.start(settings, problems);
    }

    @AfterEach
    void stop() {
        feed.close();
        cluster.close();
    }

    @Test
    void statusFollowsTheHtpasswdSecretWithoutBeingPoked() {
        RegistryAuth auth = cluster.client.resource(cluster.registryAuth("registry", "main", "registry.example.com"))
                .create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);

        cluster.client.secrets().inNamespace("registry").withName("registry-users").delete();
        RegistryAuth broken = await("UsersUnavailable", SOONER_THAN_A_RECHECK, () -> cluster.get(auth),
                a -> ("False/" + HtpasswdSource.USERS_UNAVAILABLE).equals(readyReason(a)));
        assertThat(broken.getStatus().condition("Ready").orElseThrow().getMessage()).contains("registry-users");

        cluster.client.resource(MockCluster.htpasswdSecret("registry")).create();
        await("Ready again", SOONER_THAN_A_RECHECK, () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
    }
}
