package io.registryauth.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The physical limit of the realm on this machine: ES256 signatures per second that Nimbus alone makes on
 * {@code threads} threads ({@link IssuanceBenchmark#bareNimbusSignature}: a realm-shaped header with
 * {@code x5c} and realm-shaped claims, signed and serialized), over {@code seconds} after a warm-up.
 * {@code benchmarks/wrk/realm-vs-peers.sh} runs it in the same run as the realm it compares.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.registryauth.bench.BareSigning [threads [seconds [warmup-seconds]]]};
 * prints one line {@code signatures/s: N}, then the CPU seconds the process used.
 */
public final class BareSigning {
    private BareSigning() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        double warmup = args.length > 2 ? Double.parseDouble(args[2]) : 5;
        IssuanceBenchmark bench = new IssuanceBenchmark();
        bench.setUp();
        run(bench, threads, warmup);
        long cpuBefore = processCpuNanos();
        long count = run(bench, threads, seconds);
        long cpu = processCpuNanos() - cpuBefore;
        System.out.printf("signatures/s: %.0f%n", count / seconds);
        System.out.printf("threads: %d, seconds: %.0f, process CPU: %.1f s%n", threads, seconds, cpu / 1e9);
    }

    /** Signs on {@code threads} threads for {@code seconds}; returns how many signatures were made. */
    private static long run(IssuanceBenchmark bench, int threads, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        LongAdder signed = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                long mine = 0;
                int sink = 0;
                try {
                    while (System.nanoTime() < deadline) {
                        sink += bench.bareNimbusSignature().length();
                        mine++;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("signing failed", e);
                }
                signed.add(sink > 0 ? mine : 0);
            }, "sign-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return signed.sum();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
