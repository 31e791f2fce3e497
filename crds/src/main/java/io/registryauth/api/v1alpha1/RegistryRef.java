package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The RegistryAuth a grant applies to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistryRef {

    @Required
    private String name;

    @JsonPropertyDescription("Namespace of the RegistryAuth; defaults to the grant's own.")
    private String namespace;

    public RegistryRef() {}

    public RegistryRef(String name, String namespace) {
        this.name = name;
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    /** The RegistryAuth's namespace for a grant living in {@code grantNamespace}. */
    public String namespaceOr(String grantNamespace) {
        return namespace == null || namespace.isBlank() ? grantNamespace : namespace;
    }
}
