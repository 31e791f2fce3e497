package io.registryauth.operator.feed;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/** An informer handler for consumers that rebuild from the caches whatever the event was. */
public record OnAnyChange<T>(Runnable action) implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
        action.run();
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
        action.run();
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        action.run();
    }
}
