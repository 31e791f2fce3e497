package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** What grants from other namespaces may cover. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TenancySpec {

    public static final String NAMESPACE_PLACEHOLDER = "${namespace}";
    public static final String DEFAULT_NAMESPACE_REPOSITORIES = NAMESPACE_PLACEHOLDER + "/**";

    @Default(DEFAULT_NAMESPACE_REPOSITORIES)
    @JsonPropertyDescription(
            "Repository pattern a grant from another namespace must stay within; ${namespace} is replaced by"
                    + " the grant's namespace.")
    private String namespaceRepositories = DEFAULT_NAMESPACE_REPOSITORIES;

    public String getNamespaceRepositories() {
        return namespaceRepositories;
    }

    public void setNamespaceRepositories(String namespaceRepositories) {
        this.namespaceRepositories = namespaceRepositories;
    }

    /** The pattern for grants living in {@code namespace}. */
    public String patternFor(String namespace) {
        String pattern =
                namespaceRepositories == null || namespaceRepositories.isBlank()
                        ? DEFAULT_NAMESPACE_REPOSITORIES
                        : namespaceRepositories;
        return pattern.replace(NAMESPACE_PLACEHOLDER, namespace);
    }
}
