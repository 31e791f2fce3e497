package io.registryauth.realm.scope;

import java.util.Set;
import java.util.TreeSet;

/**
 * One resource scope: {@code type[(class)]:name:actions}. {@code resourceClass} is null when absent.
 * Actions are a sorted set, so two scopes for the same resource compare and print the same way.
 */
public record ResourceScope(String type, String resourceClass, String name, Set<String> actions) {
    public ResourceScope {
        actions = Set.copyOf(new TreeSet<>(actions));
    }

    public String typeWithClass() {
        return resourceClass == null ? type : type + "(" + resourceClass + ")";
    }

    /** The scope in the grammar clients send, actions sorted. */
    public String toScopeString() {
        return typeWithClass() + ":" + name + ":" + String.join(",", new TreeSet<>(actions));
    }
}
