package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One signing key as shown in status (never the key material). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeyStatus {

    @JsonPropertyDescription("Key ID (libtrust form) tokens carry in their kid header.")
    private String id;

    @JsonPropertyDescription("pending (in the bundle, not signing yet), active (signing) or retiring.")
    private String state;

    private String algorithm;

    private String createdAt;

    private String activatedAt;

    @JsonPropertyDescription("For a retiring key: when it leaves the bundle.")
    private String retireAfter;

    public KeyStatus() {}

    public KeyStatus(
            String id,
            String state,
            String algorithm,
            String createdAt,
            String activatedAt,
            String retireAfter) {
        this.id = id;
        this.state = state;
        this.algorithm = algorithm;
        this.createdAt = createdAt;
        this.activatedAt = activatedAt;
        this.retireAfter = retireAfter;
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getAlgorithm() {
        return algorithm;
    }

    public void setAlgorithm(String algorithm) {
        this.algorithm = algorithm;
    }

    public String getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(String createdAt) {
        this.createdAt = createdAt;
    }

    public String getActivatedAt() {
        return activatedAt;
    }

    public void setActivatedAt(String activatedAt) {
        this.activatedAt = activatedAt;
    }

    public String getRetireAfter() {
        return retireAfter;
    }

    public void setRetireAfter(String retireAfter) {
        this.retireAfter = retireAfter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyStatus other
                && Objects.equals(id, other.id)
                && Objects.equals(state, other.state)
                && Objects.equals(algorithm, other.algorithm)
                && Objects.equals(createdAt, other.createdAt)
                && Objects.equals(activatedAt, other.activatedAt)
                && Objects.equals(retireAfter, other.retireAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, state, algorithm, createdAt, activatedAt, retireAfter);
    }

    @Override
    public String toString() {
        return "KeyStatus[" + id + " " + state + "]";
    }
}
