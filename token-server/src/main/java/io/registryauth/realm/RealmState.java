package io.registryauth.realm;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one mutable cell of the realm: the current snapshot, replaced whole. A state created without a
 * snapshot is not ready until the first one is swapped in, even an empty one: readiness means "the feed has
 * loaded what exists", not "some realm exists".
 */
public final class RealmState {
    private final AtomicReference<RealmSnapshot> current;
    private volatile boolean loaded;

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

    /** Ready once a snapshot has been loaded. */
    public boolean ready() {
        return loaded;
    }
}
