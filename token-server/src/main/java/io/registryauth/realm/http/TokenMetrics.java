package io.registryauth.realm.http;

import io.registryauth.realm.auth.Authenticator;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The token server's few Prometheus series, rendered in text format 0.0.4. Small enough that a metrics
 * library would cost more than it saves. Label values are bounded by the callers: services that are
 * not in the snapshot are counted as "unknown", outcomes and authenticator names are fixed sets.
 */
final class TokenMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final double[] BUCKETS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final String[] BUCKET_LABELS = Arrays.stream(BUCKETS)
            .mapToObj(b -> BigDecimal.valueOf(b).stripTrailingZeros().toPlainString())
            .toArray(String[]::new);

    private final Map<List<String>, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, LongAdder> authFailures = new ConcurrentHashMap<>();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length);
    private final LongAdder durationCount = new LongAdder();
    private final DoubleAdder durationSum = new DoubleAdder();
    private final List<Authenticator.Metric> sourceMetrics;
    private final List<WorkLane> lanes;

    /**
     * @param sourceMetrics what the identity sources publish (read when scraped)
     * @param lanes         the worker lanes whose load is reported
     */
    TokenMetrics(List<Authenticator.Metric> sourceMetrics, List<WorkLane> lanes) {
        this.sourceMetrics = List.copyOf(sourceMetrics);
        this.lanes = List.copyOf(lanes);
    }

    /** One answered token request; {@code outcome} is one of the {@link Outcome} labels. */
    void tokenRequest(String service, Outcome outcome, long durationNanos) {
        requests.computeIfAbsent(List.of(service, outcome.label), k -> new LongAdder()).increment();
        double seconds = durationNanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                bucketCounts.incrementAndGet(i);
                break;
            }
        }
        durationCount.increment();
        durationSum.add(seconds);
    }

    void authenticationFailure(String service, String authenticator) {
        authFailures.computeIfAbsent(List.of(service, authenticator), k -> new LongAdder()).increment();
    }

    long requests(String service, Outcome outcome) {
        LongAdder adder = requests.get(List.of(service, outcome.label));
        return adder == null ? 0 : adder.sum();
    }

    String render() {
        StringBuilder out = new StringBuilder(2048);
        out.append("# HELP registry_auth_token_requests_total Token requests answered, by service and outcome.\n")
                .append("# TYPE registry_auth_token_requests_total counter\n");
        requests.forEach((labels, n) -> out.append("registry_auth_token_requests_total{service=\"")
                .append(escape(labels.get(0))).append("\",outcome=\"").append(labels.get(1)).append("\"} ")
                .append(n.sum()).append('\n'));

        out.append("# HELP registry_auth_token_request_duration_seconds Time to answer a token request.\n")
                .append("# TYPE registry_auth_token_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += bucketCounts.get(i);
            out.append("registry_auth_token_request_duration_seconds_bucket{le=\"").append(BUCKET_LABELS[i])
                    .append("\"} ").append(cumulative).append('\n');
        }
        long count = durationCount.sum();
        out.append("registry_auth_token_request_duration_seconds_bucket{le=\"+Inf\"} ").append(count).append('\n')
                .append("registry_auth_token_request_duration_seconds_sum ").append(durationSum.sum()).append('\n')
                .append("registry_auth_token_request_duration_seconds_count ").append(count).append('\n');

        out.append("# HELP registry_auth_authentication_failures_total Rejected credentials, by service and authenticator.\n")
                .append("# TYPE registry_auth_authentication_failures_total counter\n");
        authFailures.forEach((labels, n) -> out.append("registry_auth_authentication_failures_total{service=\"")
                .append(escape(labels.get(0))).append("\",authenticator=\"").append(escape(labels.get(1)))
                .append("\"} ").append(n.sum()).append('\n'));

        for (Authenticator.Metric metric : sourceMetrics) {
            out.append("# HELP ").append(metric.name()).append(' ').append(metric.help()).append('\n')
                    .append("# TYPE ").append(metric.name()).append(' ').append(metric.type()).append('\n')
                    .append(metric.name()).append(' ').append(metric.value().getAsLong()).append('\n');
        }

        lane(out, "registry_auth_work_running", "gauge", "Costly checks running, by lane.", WorkLane::running);
        lane(out, "registry_auth_work_queued", "gauge", "Costly checks waiting for a thread, by lane.", WorkLane::queued);
        lane(out, "registry_auth_work_rejected_total", "counter",
                "Token requests answered 503 because their lane was full, by lane.", WorkLane::rejected);
        return out.toString();
    }

    private void lane(StringBuilder out, String name, String type, String help, ToLongFunction<WorkLane> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (WorkLane lane : lanes) {
            out.append(name).append("{lane=\"").append(lane.name()).append("\"} ").append(value.applyAsLong(lane))
                    .append('\n');
        }
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
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
