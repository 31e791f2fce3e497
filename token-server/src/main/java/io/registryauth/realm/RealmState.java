package io.registryauth.realm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The one mutable cell of the realm: the current snapshot, replaced whole. A state created without a
 * snapshot is not ready until the first one is swapped in, even an empty one: readiness means "the feed has
 * loaded what exists", not "some realm exists".
 */
public final class RealmState {
    private final AtomicReference<RealmSnapshot> current;
    private volatile boolean loaded;
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();

    /**
     * A number whoever feeds the realm publishes on the token server's {@code /metrics} beside its own series
     * (how old the snapshot is, how many objects could not be read): {@code name} must be a Prometheus
     * metric name, {@code help} one line.
     */
    public record Gauge(String name, String help, DoubleSupplier value) {
    }

    public RealmState(RealmSnapshot initial) {
        this.current = new AtomicReference<>(initial);
        this.loaded = true;
    }

    public RealmState() {
        this.current = new AtomicReference<>(RealmSnapshot.EMPTY);
    }

    public RealmSnapshot current() {
        return current.get();
    }

    public void swap(RealmSnapshot next) {
        current.set(next);
        loaded = true;
    }

    /** Publishes {@code gauge} on the token server's metrics, replacing one of the same name. */
    public synchronized void addGauge(Gauge gauge) {
        gauges.removeIf(g -> g.name().equals(gauge.name()));
        gauges.add(gauge);
    }

    public List<Gauge> gauges() {
        return List.copyOf(gauges);
    }

    /** Ready once a snapshot has been loaded. */
    public boolean ready() {
        return loaded;
    }
}
