package io.registryauth.realm.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Worker threads of their own for one kind of costly check, with a bounded waiting room: a request that
 * finds it full is refused at once ({@link ServerBusy}) instead of queueing without end, and the checks
 * waiting here never hold up the cheap requests on Vert.x's shared worker pool.
 */
final class WorkLane {
    private final String name;
    private final int threads;
    private final int capacity;
    private final WorkerExecutor workers;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    /** Vert.x closes the executor with itself; one per name and Vert.x instance. */
    WorkLane(Vertx vertx, String name, int threads, int queue) {
        this.name = name;
        this.threads = threads;
        this.capacity = threads + queue;
        this.workers = vertx.createSharedWorkerExecutor("registry-auth-" + name, threads);
    }

    /** Runs {@code work} on this lane's threads, or fails at once with {@link ServerBusy} when the lane is full. */
    <T> Future<T> run(Callable<T> work) {
        if (pending.incrementAndGet() > capacity) {
            pending.decrementAndGet();
            rejected.increment();
            return Future.failedFuture(new ServerBusy());
        }
        // Unordered: ordered tasks of one context would run one at a time.
        return workers.executeBlocking(() -> {
            try {
                return work.call();
            } finally {
                pending.decrementAndGet();
            }
        }, false);
    }

    String name() {
        return name;
    }

    int running() {
        return Math.min(pending.get(), threads);
    }

    int queued() {
        return Math.max(0, pending.get() - threads);
    }

    long rejected() {
        return rejected.sum();
    }
}
