package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** An RBAC-style subject of a grant. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.kind in ['Anonymous', 'Authenticated'] || (has(self.name) && size(self.name) > 0)",
        message = "User, Group and ServiceAccount subjects need a name")
public class GrantSubject {

    /** Who the subject is. */
    public enum Kind {
        @JsonProperty("User")
        USER,
        @JsonProperty("Group")
        GROUP,
        @JsonProperty("ServiceAccount")
        SERVICE_ACCOUNT,
        /** Clients without credentials. */
        @JsonProperty("Anonymous")
        ANONYMOUS,
        /** Any client that proved an identity. */
        @JsonProperty("Authenticated")
        AUTHENTICATED
    }

    @Required
    private Kind kind;

    @JsonPropertyDescription("User, group or service-account name; not used for Anonymous/Authenticated.")
    private String name;

    @JsonPropertyDescription("ServiceAccount namespace; defaults to the grant's own.")
    private String namespace;

    /** A source as identities carry it: htpasswd, or oidc:<provider name> (and later sources' own forms). */
    public static final String SOURCE_PATTERN = "^[a-z]+(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$";

    @Pattern(SOURCE_PATTERN)
    @JsonPropertyDescription(
            "For User and Group subjects: only identities of this source match, e.g. htpasswd or oidc:corp (an"
                    + " identity provider's name). Unset = the name from any source.")
    private String source;

    public GrantSubject() {}

    public GrantSubject(Kind kind, String name, String namespace) {
        this.kind = kind;
        this.name = name;
        this.namespace = namespace;
    }

    public Kind getKind() {
        return kind;
    }

    public void setKind(Kind kind) {
        this.kind = kind;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }
}
