package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.RegistryAuthOperator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A start that fails (here: the mock API server has no authorization API, so JOSDK finds no right to use
 * the Lease after its informers started) is retried every few seconds; each attempt it gave up on must
 * leave no informer running. They used to keep running, each holding a full copy of every grant, until
 * the heap was full.
 */
class FailedStartTest {
    private MockCluster cluster;
    private RegistryAuthOperator operator;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        for (int i = 0; i < 20; i++) {
            cluster.client.resource(cluster.registryAuth("registry", "auth-" + i, "registry-" + i + ".example.com"))
                    .create();
        }
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
        cluster.close();
    }

    @Test
    void anAttemptGivenUpOnLeavesNoInformerRunning() throws InterruptedException {
        OperatorSettings settings = cluster.settings()
                .withLease(OperatorSettings.DEFAULT_LEASE_NAME, "registry-auth", "replica-1");
        operator = RegistryAuthOperator.startInBackground(cluster.client, settings, new RealmProblemSignal());

        Set<Operator> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (seen.size() < 3) {
            Operator current = operator.operator();
            if (current != null) {
                seen.add(current);
            }
            if (System.nanoTime() > deadline) {
                fail("expected three start attempts within a minute, saw " + seen.size());
            }
            Thread.sleep(50);
        }
        Operator current = operator.operator();
        List<Operator> retired = new ArrayList<>(seen);
        retired.remove(current);
        assertThat(retired).hasSizeGreaterThanOrEqualTo(2);
        List<String> running = new ArrayList<>();
        for (Operator given : retired) {
            assertThat(given.getRegisteredControllers()).isNotEmpty();
            for (RegisteredController<?> controller : given.getRegisteredControllers()) {
                for (var source : controller.getControllerHealthInfo().informerEventSourceHealthIndicators().entrySet()) {
                    for (Object indicator : source.getValue().informerHealthIndicators().values()) {
                        InformerHealthIndicator informer = (InformerHealthIndicator) indicator;
                        if (informer.isRunning()) {
                            running.add(controller.getConfiguration().getName() + "/" + source.getKey() + " in "
                                    + informer.getTargetNamespace() + " (watching " + informer.isWatching() + ")");
                        }
                    }
                }
            }
        }
        assertThat(running).as("informers of starts given up on").isEmpty();
    }
}
