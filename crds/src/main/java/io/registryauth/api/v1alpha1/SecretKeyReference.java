package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** One key of a Secret in the RegistryAuth's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyReference {

    @Required
    @JsonPropertyDescription("Name of the Secret, in the RegistryAuth's namespace.")
    private String name;

    @Required
    @JsonPropertyDescription("Key inside the Secret's data.")
    private String key;

    public SecretKeyReference() {}

    public SecretKeyReference(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretKeyReference other
                && Objects.equals(name, other.name)
                && Objects.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, key);
    }
}
