package io.registryauth.operator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.registryauth.operator.logging.Logging;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The process's one metrics registry: what the realm's {@code /metrics} serves. The token server keeps its
 * series in it ({@link TokenServerOptions#standard}), JOSDK its reconcilers' ({@link RegistryAuthOperator}),
 * and this class the JVM's (heap, GC, threads, CPU) and the audit lines the log output dropped. One per
 * process because a process runs one realm and one operator, in a cluster and in dev mode alike.
 */
public final class OperatorMetrics {
    /**
     * JOSDK times reconciles with Micrometer's percentile histogram: about 70 buckets per controller.
     * Eleven fixed ones, from 5 ms to 10 s, answer "how long do reconciles take" at a seventh of the series.
     */
    private static final MeterFilter FEWER_RECONCILE_BUCKETS = new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (!id.getName().startsWith("operator.sdk.") || id.getType() != Meter.Type.TIMER) {
                return config;
            }
            return DistributionStatisticConfig.builder()
                    .percentilesHistogram(false)
                    .serviceLevelObjectives(Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)
                            .mapToDouble(ms -> Duration.ofMillis(ms).toNanos()).toArray())
                    .build()
                    .merge(config);
        }
    };
    private static final PrometheusMeterRegistry REGISTRY = create();

    private OperatorMetrics() {
    }

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    @SuppressWarnings("resource") // the GC listeners live as long as the process
    private static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(FEWER_RECONCILE_BUCKETS);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // Read from whichever logging configuration is current; a Class is never collected.
        FunctionCounter.builder("registry_auth_audit_dropped", Logging.class, c -> Logging.droppedAuditLines())
                .description("Audit lines dropped because the log output did not keep up.")
                .register(registry);
        return registry;
    }
}
