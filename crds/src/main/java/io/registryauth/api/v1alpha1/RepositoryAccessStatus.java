package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Whether a grant is enforced, and why not. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RepositoryAccessStatus extends ConditionedStatus {

    @JsonPropertyDescription("The generated credentials, when spec.credentials asks for them.")
    private CredentialsStatus credentials;

    public CredentialsStatus getCredentials() {
        return credentials;
    }

    public void setCredentials(CredentialsStatus credentials) {
        this.credentials = credentials;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RepositoryAccessStatus other
                && Objects.equals(getObservedGeneration(), other.getObservedGeneration())
                && Objects.equals(getConditions(), other.getConditions())
                && Objects.equals(credentials, other.credentials);
    }

    @Override
    public int hashCode() {
        return Objects.hash(getObservedGeneration(), getConditions(), credentials);
    }
}
