package io.registryauth.realm;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The one mutable cell of the realm: the current snapshot, replaced whole. A state created without a
 * snapshot is not ready until the first one is swapped in, even an empty one: readiness means "the feed has
 * loaded what exists", not "some realm exists".
 *
 * <p>Grants with a validity period: each realm's policy indexes the grants in force at one instant and knows
 * until when that holds. A read at or past that instant (by this state's clock) recompiles the policies
 * once, under a lock, and swaps the result in before answering, so a grant stops at its {@code validUntil}
 * exactly whether or not the feed has rebuilt anything since. A snapshot without such grants is handed out
 * without reading the clock.
 */
public final class RealmState {
    private final AtomicReference<RealmSnapshot> current;
    private volatile boolean loaded;
    private final Clock clock;
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();

    /**
     * A number whoever feeds the realm publishes on the token server's {@code /metrics} beside its own series
     * (how old the snapshot is, how many objects could not be read): {@code name} must be a Prometheus
     * metric name, {@code help} one line.
     */
    public record Gauge(String name, String help, DoubleSupplier value) {
    }

    public RealmState(RealmSnapshot initial) {
        this(initial, Clock.systemUTC());
    }

    public RealmState() {
        this(Clock.systemUTC());
    }

    /** A state not ready until the first swap, whose time-bound grants follow {@code clock}. */
    public RealmState(Clock clock) {
        this.current = new AtomicReference<>(RealmSnapshot.EMPTY);
        this.clock = clock;
    }

    /** A state holding {@code initial}, whose time-bound grants follow {@code clock}. */
    public RealmState(RealmSnapshot initial, Clock clock) {
        this.current = new AtomicReference<>(initial);
        this.loaded = true;
        this.clock = clock;
    }

    /** The snapshot to answer with now: the one swapped in, with its policies moved to this instant if needed. */
    public RealmSnapshot current() {
        RealmSnapshot snapshot = current.get();
        if (!snapshot.timeBound()) {
            return snapshot;
        }
        Instant now = clock.instant();
        return snapshot.inForceAt(now) ? snapshot : moveTo(now);
    }

    /** Recompiles once for {@code now}; a swap meanwhile wins, and is then moved in turn if it must be. */
    private synchronized RealmSnapshot moveTo(Instant now) {
        while (true) {
            RealmSnapshot snapshot = current.get();
            if (!snapshot.timeBound() || snapshot.inForceAt(now)) {
                return snapshot;
            }
            RealmSnapshot moved = snapshot.at(now);
            if (current.compareAndSet(snapshot, moved)) {
                return moved;
            }
        }
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
