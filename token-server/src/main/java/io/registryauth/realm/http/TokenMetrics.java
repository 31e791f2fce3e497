package io.registryauth.realm.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.Authenticator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The token server's series, kept in a Micrometer Prometheus registry (which may be shared with the rest of
 * the process: the operator adds its reconcilers' series to the same one). Names are the ones this server
 * has always published; Micrometer appends {@code _total} to counters and {@code _seconds} to the timer.
 * Label values are bounded by the callers: services that are not in the snapshot are counted as
 * "unknown", outcomes and authenticator names are fixed sets.
 */
final class TokenMetrics {
    /** Prometheus text format 0.0.4, what {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] BUCKETS = {Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500)};

    private final PrometheusMeterRegistry registry;
    private final Timer duration;
    // Micrometer finds an existing meter by its id too, but that builds the id on every request.
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> authFailures = new ConcurrentHashMap<>();
    // Micrometer holds function counters' and gauges' objects weakly: these keep them readable.
    private final List<Authenticator.Metric> sourceMetrics;
    private final List<WorkLane> lanes;
    private final Map<String, RealmState.Gauge> feederPublished = new ConcurrentHashMap<>();

    /**
     * @param registry      where the series live and what {@link #render} scrapes
     * @param sourceMetrics what the identity sources publish (read when scraped)
     * @param lanes         the worker lanes whose load is reported
     */
    TokenMetrics(PrometheusMeterRegistry registry, List<Authenticator.Metric> sourceMetrics, List<WorkLane> lanes) {
        this.registry = registry;
        this.sourceMetrics = List.copyOf(sourceMetrics);
        this.lanes = List.copyOf(lanes);
        this.duration = Timer.builder("registry_auth_token_request_duration")
                .description("Time to answer a token request.")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        for (Authenticator.Metric metric : this.sourceMetrics) {
            register(registry, metric);
        }
        for (WorkLane lane : this.lanes) {
            gauge(registry, "registry_auth_work_running", "Costly checks running, by lane.", lane, WorkLane::running);
            gauge(registry, "registry_auth_work_queued", "Costly checks waiting for a thread, by lane.", lane,
                    WorkLane::queued);
            replace(registry, "registry_auth_work_rejected", Tags.of("lane", lane.name()));
            FunctionCounter.builder("registry_auth_work_rejected", lane, l -> l.rejected())
                    .description("Token requests answered 503 because their lane was full, by lane.")
                    .tag("lane", lane.name())
                    .register(registry);
        }
    }

    /** One answered token request; {@code outcome} is one of the {@link Outcome} labels. */
    void tokenRequest(String service, Outcome outcome, long durationNanos) {
        requests.computeIfAbsent(List.of(service, outcome.label), k -> Counter.builder("registry_auth_token_requests")
                .description("Token requests answered, by service and outcome.")
                .tags("service", k.get(0), "outcome", k.get(1))
                .register(registry)).increment();
        duration.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    void authenticationFailure(String service, String authenticator) {
        authFailures.computeIfAbsent(List.of(service, authenticator), k -> Counter.builder(
                        "registry_auth_authentication_failures")
                .description("Rejected credentials, by service and authenticator.")
                .tags("service", k.get(0), "authenticator", k.get(1))
                .register(registry)).increment();
    }

    /**
     * Every series of the registry in Prometheus text format, the feeder's gauges ({@link RealmState#addGauge})
     * included: registered here when first seen, and replaced when the feeder replaced one.
     */
    synchronized String render(List<RealmState.Gauge> feederGauges) {
        for (RealmState.Gauge gauge : feederGauges) {
            if (feederPublished.get(gauge.name()) != gauge) {
                replace(registry, gauge.name(), Tags.empty());
                Gauge.builder(gauge.name(), gauge, g -> g.value().getAsDouble()).description(gauge.help())
                        .register(registry);
                feederPublished.put(gauge.name(), gauge);
            }
        }
        return registry.scrape();
    }

    /** A source's counter or gauge, under the name it gives (a counter's {@code _total} is Micrometer's to add). */
    private static void register(MeterRegistry registry, Authenticator.Metric metric) {
        if (metric.type().equals("counter")) {
            String name = metric.name().endsWith("_total")
                    ? metric.name().substring(0, metric.name().length() - "_total".length())
                    : metric.name();
            replace(registry, name, Tags.empty());
            FunctionCounter.builder(name, metric.value(), v -> v.getAsLong())
                    .description(metric.help())
                    .register(registry);
        } else {
            replace(registry, metric.name(), Tags.empty());
            Gauge.builder(metric.name(), metric.value(), v -> v.getAsLong())
                    .description(metric.help())
                    .register(registry);
        }
    }

    private static void gauge(MeterRegistry registry, String name, String help, WorkLane lane,
                              ToDoubleFunction<WorkLane> value) {
        replace(registry, name, Tags.of("lane", lane.name()));
        Gauge.builder(name, lane, value).description(help).tag("lane", lane.name()).register(registry);
    }

    /**
     * Gauges and function counters read objects of this server. In a shared registry, one left by an
     * earlier server (tests start many in one process) would keep reading that server's, or NaN once it
     * is collected, since Micrometer hands back the existing meter: this server's replaces it.
     */
    private static void replace(MeterRegistry registry, String name, Tags tags) {
        registry.getMeters().stream()
                .filter(m -> m.getId().getName().equals(name) && Tags.of(m.getId().getTags()).equals(tags))
                .toList()
                .forEach(registry::remove);
    }

    /** The outcome label of a token request, derived from the status it was answered with. */
    enum Outcome {
        ISSUED("issued"), UNAUTHORIZED("unauthorized"), BAD_REQUEST("bad_request"), THROTTLED("throttled"),
        UNAVAILABLE("unavailable"), ERROR("error");

        final String label;

        Outcome(String label) {
            this.label = label;
        }

        static Outcome of(int status) {
            if (status < 300) {
                return ISSUED;
            }
            return switch (status) {
                case 401, 403 -> UNAUTHORIZED;
                case 429 -> THROTTLED;
                case 503 -> UNAVAILABLE;
                default -> status >= 500 ? ERROR : BAD_REQUEST;
            };
        }
    }
}
