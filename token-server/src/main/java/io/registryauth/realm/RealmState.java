package io.registryauth.realm;

import java.util.concurrent.atomic.AtomicReference;

/** The one mutable cell of the realm: the current snapshot, replaced whole. */
public final class RealmState {
    private final AtomicReference<RealmSnapshot> current;

    public RealmState(RealmSnapshot initial) {
        this.current = new AtomicReference<>(initial);
    }

    public RealmState() {
        this(RealmSnapshot.EMPTY);
    }

    public RealmSnapshot current() {
        return current.get();
    }

    public void swap(RealmSnapshot next) {
        current.set(next);
    }

    /** Ready once at least one realm is loaded. */
    public boolean ready() {
        return !current.get().byService().isEmpty();
    }
}
