package io.registryauth.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.registryauth.operator.reconciler.RegistryAuthReconciler;
import io.registryauth.operator.reconciler.RepositoryAccessReconciler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciling half of the operator: JOSDK with both reconcilers, configured from {@link OperatorSettings}
 * the same way in production, dev mode and tests. With leader election on, only the Lease holder reconciles;
 * every replica serves tokens regardless (the realm feed runs beside this).
 */
public final class RegistryAuthOperator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuthOperator.class);

    private final Operator operator;
    private final AtomicBoolean stopping;

    private RegistryAuthOperator(Operator operator, AtomicBoolean stopping) {
        this.operator = operator;
        this.stopping = stopping;
    }

    /** Builds the operator for {@code client} and starts it (returns once the informers have synced). */
    public static RegistryAuthOperator start(KubernetesClient client, OperatorSettings settings) {
        return start(client, settings, new RealmProblemSignal());
    }

    /** As {@link #start(KubernetesClient, OperatorSettings)}, re-checking a RegistryAuth when {@code problems} says. */
    public static RegistryAuthOperator start(KubernetesClient client, OperatorSettings settings,
                                             RealmProblemSignal problems) {
        AtomicBoolean stopping = new AtomicBoolean();
        Operator operator = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    // No server-side apply, which the mock API of dev mode and tests lacks; the reconcilers
                    // write status themselves, whole, under the resourceVersion they read.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withCloseClientOnStop(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(5))
                    // Reconciles, failures and queue times per controller on /metrics; not per resource,
                    // which would be a series for every grant.
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(OperatorMetrics.registry()));
            if (settings.leaderElection()) {
                LeaderElectionConfigurationBuilder election = LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(settings.leaseName());
                if (settings.leaseNamespace() != null) {
                    election.withLeaseNamespace(settings.leaseNamespace());
                }
                if (settings.identity() != null) {
                    election.withIdentity(settings.identity());
                }
                // A replica that lost the Lease must not keep reconciling beside the new leader: it exits
                // and is restarted as a follower. Stopping on purpose (shutdown, tests) is not a loss.
                election.withExitOnStopLeading(false).withLeaderCallbacks(new LeaderCallbacks(
                        () -> LOG.info("leading: this replica reconciles"),
                        () -> {
                            if (!stopping.get()) {
                                LOG.error("lost the Lease {}; exiting", settings.leaseName());
                                System.exit(1);
                            }
                        },
                        leader -> LOG.info("leader is {}", leader)));
                overrider.withLeaderElectionConfiguration(election.build());
            }
        });
        operator.register(new RegistryAuthReconciler(settings, problems), namespaces(settings));
        operator.register(new RepositoryAccessReconciler(settings), namespaces(settings));
        operator.start();
        return new RegistryAuthOperator(operator, stopping);
    }

    private static <R extends HasMetadata> Consumer<ControllerConfigurationOverrider<R>> namespaces(
            OperatorSettings settings) {
        return overrider -> {
            if (settings.namespaces().isEmpty()) {
                overrider.watchingAllNamespaces();
            } else {
                overrider.settingNamespaces(settings.namespaces());
            }
        };
    }

    /** The running JOSDK operator (for health checks: {@code operator().getRuntimeInfo()}). */
    public Operator operator() {
        return operator;
    }

    /** Stops reconciling and the informers; the client stays open (it belongs to the caller). */
    public void stop() {
        stopping.set(true);
        operator.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
