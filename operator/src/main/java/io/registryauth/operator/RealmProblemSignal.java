package io.registryauth.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.registryauth.api.v1alpha1.RegistryAuth;

/**
 * The realm feed telling the RegistryAuth reconciler that what a realm can serve changed for reasons the
 * reconciler does not watch: a user's htpasswd or groups Secret edited, deleted or recreated. Those Secrets
 * carry no label of ours, and the feed already follows them, so the reconciler is told rather than caching
 * every Secret a second time. The status (Ready, UsersUnavailable) then follows within the feed's debounce.
 * Signals reach the reconciler only while it runs (on the leader); elsewhere they are dropped.
 */
public final class RealmProblemSignal {
    private final SimpleInboundEventSource<RegistryAuth> source = new SimpleInboundEventSource<>("realm-problems");

    /** The realm of RegistryAuth {@code namespace/name} has other problems than when last built. */
    public void changed(String namespace, String name) {
        source.propagateEvent(new ResourceID(name, namespace));
    }

    /** Registered with the RegistryAuth reconciler (one controller only). */
    public SimpleInboundEventSource<RegistryAuth> eventSource() {
        return source;
    }
}
