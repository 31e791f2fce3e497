package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** Whether a grant is enforced, and why not. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RepositoryAccessStatus extends ConditionedStatus {

    @Override
    public boolean equals(Object o) {
        return o instanceof RepositoryAccessStatus other
                && Objects.equals(getObservedGeneration(), other.getObservedGeneration())
                && Objects.equals(getConditions(), other.getConditions());
    }

    @Override
    public int hashCode() {
        return Objects.hash(getObservedGeneration(), getConditions());
    }
}
