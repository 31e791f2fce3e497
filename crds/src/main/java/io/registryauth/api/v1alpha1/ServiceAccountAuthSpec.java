package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Pods log in with their projected service-account token as the password, checked by a TokenReview. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceAccountAuthSpec {

    @JsonPropertyDescription("Whether service-account tokens are accepted as passwords.")
    private boolean enabled;

    @JsonPropertyDescription(
            "Audiences the token must be bound to (the TokenReview's audiences); empty = the RegistryAuth's"
                    + " service.")
    private List<String> audiences = new ArrayList<>();

    @JsonPropertyDescription(
            "Whether legacy Secret-based service-account tokens are accepted. They never expire and are not"
                    + " bound to an audience, so leave this off unless a client cannot use projected tokens.")
    private boolean allowLegacyTokens;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<String> getAudiences() {
        return audiences;
    }

    public void setAudiences(List<String> audiences) {
        this.audiences = audiences == null ? new ArrayList<>() : audiences;
    }

    public boolean isAllowLegacyTokens() {
        return allowLegacyTokens;
    }

    public void setAllowLegacyTokens(boolean allowLegacyTokens) {
        this.allowLegacyTokens = allowLegacyTokens;
    }
}
