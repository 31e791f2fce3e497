package io.registryauth.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the realm's CPU goes under load, from a Java Flight Recorder file ({@code realm-vs-peers.sh} with
 * {@code JFR=FILE} records one and runs this on the measured window). Each execution sample is charged to
 * the first frame, walking from the leaf towards the thread's root, that belongs to a part of the request
 * path; JDK internals, JSON encoders and collections are transparent, so a SHA-256 under the credential
 * cache counts as the cache and Jackson under the audit line as the audit line, while P-256 arithmetic
 * counts as signing wherever it is called from. GC threads are not sampled by JFR: their pauses and the
 * allocation rate are printed beside the split.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.registryauth.bench.JfrSplit FILE [from-epoch-ms to-epoch-ms]}
 */
public final class JfrSplit {
    /** Parts of the request path, by class name prefix; the first that matches a frame names it. */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("sun.security.ec.", "signing (JDK P-256, SHA-256 of the input)");
        PARTS.put("sun.security.util.math.", "signing (JDK P-256, SHA-256 of the input)");
        PARTS.put("com.nimbusds.", "signing (Nimbus)");
        PARTS.put("io.registryauth.realm.sign.", "ours: token payload and JWS assembly");
        PARTS.put("io.registryauth.realm.auth.CredentialCache", "ours: credential cache (HMAC key, lookup)");
        PARTS.put("io.registryauth.realm.auth.Digest", "ours: credential cache (HMAC key, lookup)");
        PARTS.put("io.registryauth.realm.auth.", "ours: authentication (Basic, routing to a source)");
        PARTS.put("io.registryauth.realm.policy.", "ours: policy");
        PARTS.put("io.registryauth.realm.scope.", "ours: request parsing (query, scopes)");
        PARTS.put("io.registryauth.realm.http.FormFields", "ours: request parsing (query, scopes)");
        PARTS.put("io.registryauth.realm.http.Decision", "ours: audit line building");
        PARTS.put("io.registryauth.realm.http.TokenMetrics", "metrics (Micrometer)");
        PARTS.put("io.registryauth.realm.", "ours: request flow (handlers, answer JSON)");
        PARTS.put("io.registryauth.operator.logging.", "logging (Logback, our audit appender and layout)");
        PARTS.put("ch.qos.logback.", "logging (Logback, our audit appender and layout)");
        PARTS.put("org.slf4j.", "logging (Logback, our audit appender and layout)");
        PARTS.put("io.micrometer.", "metrics (Micrometer)");
        PARTS.put("io.prometheus.", "metrics (Micrometer)");
        PARTS.put("io.vertx.ext.web.", "Vert.x Web (router)");
        PARTS.put("io.vertx.", "Vert.x core (HTTP, event loop, worker hand-off)");
        PARTS.put("io.netty.", "Netty (HTTP codec, sockets)");
        PARTS.put("io.registryauth.", "ours: other");
        PARTS.put("io.fabric8.", "operator and API (Fabric8, JOSDK)");
        PARTS.put("io.javaoperatorsdk.", "operator and API (Fabric8, JOSDK)");
    }

    /** Frames that never name a part: the caller above them does. */
    private static final List<String> TRANSPARENT = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
            "io.vertx.core.json.", "com.fasterxml.jackson.");

    private JfrSplit() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Instant from = args.length > 2 ? Instant.ofEpochMilli(Long.parseLong(args[1])) : Instant.MIN;
        Instant to = args.length > 2 ? Instant.ofEpochMilli(Long.parseLong(args[2])) : Instant.MAX;
        Map<String, Integer> byPart = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> byLeaf = new HashMap<>();
        Map<String, Integer> oursByMethod = new HashMap<>();
        long samples = 0;
        long gcPauseNanos = 0;
        long allocatedBytes = 0;
        int gcs = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                continue;
            }
            switch (event.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    String part = part(stack, oursByMethod);
                    byPart.merge(part, 1, Integer::sum);
                    RecordedThread thread = event.getThread("sampledThread");
                    byThread.merge(threadGroup(thread == null ? "?" : thread.getJavaName()), 1, Integer::sum);
                    RecordedFrame leaf = stack.getFrames().get(0);
                    byLeaf.merge(name(leaf), 1, Integer::sum);
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    gcPauseNanos += event.getDuration("sumOfPauses").toNanos();
                }
                case "jdk.ObjectAllocationSample" -> allocatedBytes += event.getLong("weight");
                default -> {
                }
            }
        }
        double window = from == Instant.MIN ? Double.NaN : (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
        System.out.printf("execution samples: %d%s%n", samples,
                Double.isNaN(window) ? "" : String.format(" in %.1f s", window));
        print("by part of the request path", byPart, samples, 30);
        print("by thread", byThread, samples, 10);
        print("hottest leaf methods", byLeaf, samples, 15);
        print("our code, by method charged", oursByMethod, samples, 15);
        System.out.printf("GC: %d collections, pauses %.0f ms in total%s%n", gcs, gcPauseNanos / 1e6,
                Double.isNaN(window) ? "" : String.format(" (%.1f%% of the window)", 100 * gcPauseNanos / 1e9 / window));
        if (!Double.isNaN(window)) {
            System.out.printf("allocation (sampled estimate): %.0f MB/s%n", allocatedBytes / 1e6 / window);
        }
    }

    private static String part(RecordedStackTrace stack, Map<String, Integer> oursByMethod) {
        for (RecordedFrame frame : stack.getFrames()) {
            if (!frame.isJavaFrame()) {
                continue;
            }
            String type = frame.getMethod().getType().getName();
            for (Map.Entry<String, String> part : PARTS.entrySet()) {
                if (type.startsWith(part.getKey())) {
                    if (part.getValue().startsWith("ours")) {
                        oursByMethod.merge(name(frame), 1, Integer::sum);
                    }
                    return part.getValue();
                }
            }
            if (TRANSPARENT.stream().noneMatch(type::startsWith)) {
                return "other library: " + type.substring(0, Math.max(0, type.lastIndexOf('.')));
            }
        }
        return "JDK only (no caller in a known part)";
    }

    private static String threadGroup(String thread) {
        return thread.replaceAll("-\\d+$", "-N");
    }

    private static String name(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, long total, int limit) {
        System.out.println(title + ":");
        List<Map.Entry<String, Integer>> sorted = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .collect(Collectors.toList());
        for (Map.Entry<String, Integer> entry : sorted) {
            System.out.printf("  %5.1f%%  %s%n", 100.0 * entry.getValue() / total, entry.getKey());
        }
    }
}
