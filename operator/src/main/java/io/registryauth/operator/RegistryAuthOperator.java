package io.registryauth.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.registryauth.operator.reconciler.RegistryAuthReconciler;
import io.registryauth.operator.reconciler.RepositoryAccessReconciler;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciling half of the operator: JOSDK with both reconcilers, configured from {@link OperatorSettings}
 * the same way in production, dev mode and tests. With leader election on, only the Lease holder reconciles;
 * every replica serves tokens regardless (the realm feed runs beside this).
 *
 * <p>A replica that loses the Lease (an API outage longer than the renew deadline, or another replica taking
 * it) stops reconciling at once, since JOSDK would otherwise go on beside the new leader, and then stands
 * again as a candidate with a fresh JOSDK operator, retrying while the API server is away. The process, and
 * with it this replica's token server, keeps running throughout.
 */
public final class RegistryAuthOperator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuthOperator.class);
    /** Pause between attempts to start while the API server cannot be reached. */
    static final Duration RETRY = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final RealmProblemSignal problems;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ExecutorService lifecycle = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "operator-lifecycle");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong leaseLosses = new AtomicLong();
    private volatile Operator operator;

    private RegistryAuthOperator(KubernetesClient client, OperatorSettings settings, RealmProblemSignal problems) {
        this.client = client;
        this.settings = settings;
        this.problems = problems;
    }

    /** Builds the operator for {@code client} and starts it (returns once the informers have synced). */
    public static RegistryAuthOperator start(KubernetesClient client, OperatorSettings settings) {
        return start(client, settings, new RealmProblemSignal());
    }

    /** As {@link #start(KubernetesClient, OperatorSettings)}, re-checking a RegistryAuth when {@code problems} says. */
    public static RegistryAuthOperator start(KubernetesClient client, OperatorSettings settings,
                                             RealmProblemSignal problems) {
        RegistryAuthOperator wrapper = new RegistryAuthOperator(client, settings, problems);
        wrapper.operator = wrapper.build(new AtomicBoolean());
        wrapper.operator.start();
        return wrapper;
    }

    /**
     * As {@link #start(KubernetesClient, OperatorSettings, RealmProblemSignal)}, but returns at once and keeps
     * trying in the background while the API server cannot be reached: a replica started during an outage
     * serves tokens meanwhile (the main program uses this).
     */
    public static RegistryAuthOperator startInBackground(KubernetesClient client, OperatorSettings settings,
                                                         RealmProblemSignal problems) {
        RegistryAuthOperator wrapper = new RegistryAuthOperator(client, settings, problems);
        wrapper.lifecycle.execute(wrapper::startUntilStarted);
        return wrapper;
    }

    /** A new JOSDK operator; {@code retired} turns true once it lost the Lease or was given up. */
    private Operator build(AtomicBoolean retired) {
        Operator built = new Operator(overrider -> {
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
                // Never exit: the token server lives in this process. A lost Lease stops reconciling instead.
                election.withExitOnStopLeading(false).withLeaderCallbacks(new LeaderCallbacks(
                        () -> LOG.info("leading: this replica reconciles"),
                        () -> lostLease(retired),
                        leader -> LOG.info("leader is {}", leader)));
                overrider.withLeaderElectionConfiguration(election.build());
            }
        });
        built.register(new RegistryAuthReconciler(settings, problems), namespaces(settings));
        built.register(new RepositoryAccessReconciler(settings), namespaces(settings));
        return built;
    }

    /**
     * Called on the elector's thread; the stop and the new candidacy run on the lifecycle thread. Once per
     * operator: stopping it may report the loss again.
     */
    private void lostLease(AtomicBoolean retired) {
        if (stopping.get() || !retired.compareAndSet(false, true)) {
            return;
        }
        leaseLosses.incrementAndGet();
        LOG.warn("lost the Lease {}: reconciling stops; tokens are still served; standing again as a candidate",
                settings.leaseName());
        Operator lost = operator;
        lifecycle.execute(() -> {
            stopQuietly(lost);
            startUntilStarted();
        });
    }

    private void startUntilStarted() {
        while (!stopping.get()) {
            AtomicBoolean retired = new AtomicBoolean();
            Operator next = build(retired);
            operator = next;
            try {
                next.start();
                return;
            } catch (RuntimeException e) {
                LOG.warn("cannot start reconciling yet ({}); tokens are still served; retrying in {} s",
                        rootMessage(e), RETRY.toSeconds());
                retired.set(true);
                stopQuietly(next);
            }
            try {
                Thread.sleep(RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops {@code operator} and every controller it registered. An operator whose start failed counts as
     * never started, and JOSDK's {@code stop()} then leaves the informers that did start running: each retry
     * would keep another full copy of every watched object (seen as a heap filled with copies of the same
     * grants while the API server refused one list). Stopping the controllers themselves ends those.
     */
    private static void stopQuietly(Operator operator) {
        try {
            operator.stop();
        } catch (RuntimeException e) {
            LOG.debug("stopping the previous operator: {}", e.toString());
        }
        for (Object registered : operator.getRegisteredControllers()) {
            if (registered instanceof Controller<?> controller) {
                // Each event source by itself: the manager's own stop hands them to executors already stopped.
                for (EventSource<?, ?> source : controller.getEventSourceManager().allEventSources()) {
                    try {
                        source.stop();
                    } catch (RuntimeException e) {
                        LOG.debug("stopping an event source of the previous operator: {}", e.toString());
                    }
                }
            }
        }
    }

    /** The innermost message of {@code e}'s causes, which says what actually failed. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root;
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

    /**
     * The current JOSDK operator (for health checks: {@code operator().getRuntimeInfo()}); replaced when the
     * Lease is lost, and null until a background start has begun.
     */
    public Operator operator() {
        return operator;
    }

    /** How often this replica lost the Lease since it started. */
    public long leaseLosses() {
        return leaseLosses.get();
    }

    /** Stops reconciling and the informers; the client stays open (it belongs to the caller). */
    public void stop() {
        stopping.set(true);
        lifecycle.shutdownNow();
        try {
            lifecycle.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Operator current = operator;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
