package io.registryauth.realm.scope;

import java.util.Set;
import java.util.TreeSet;

/**
 * One resource scope: {@code type[(class)]:name:actions}. {@code resourceClass} is null when absent.
 * Actions are an unordered set, so two scopes for the same resource compare equal whatever order the
 * client sent; {@link #toScopeString()} prints them sorted.
 */
public record ResourceScope(String type, String resourceClass, String name, Set<String> actions) {
    public ResourceScope {
        actions = Set.copyOf(actions);
    }

    public String typeWithClass() {
        return resourceClass == null ? type : type + "(" + resourceClass + ")";
    }

    /** The scope in the grammar clients send, actions sorted. */
    public String toScopeString() {
        return typeWithClass() + ":" + name + ":" + String.join(",", new TreeSet<>(actions));
    }
}
