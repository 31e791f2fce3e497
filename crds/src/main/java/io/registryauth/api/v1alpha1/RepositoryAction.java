package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Actions a grant can allow on repositories; {@code *} allows all of them. */
public enum RepositoryAction {
    @JsonProperty("pull")
    PULL("pull"),
    @JsonProperty("push")
    PUSH("push"),
    @JsonProperty("delete")
    DELETE("delete"),
    @JsonProperty("*")
    ALL("*");

    private final String wireName;

    RepositoryAction(String wireName) {
        this.wireName = wireName;
    }

    /** The action as it appears in scopes and tokens. */
    public String wireName() {
        return wireName;
    }
}
