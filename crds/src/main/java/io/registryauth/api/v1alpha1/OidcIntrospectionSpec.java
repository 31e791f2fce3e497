package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The confidential client the realm introspects opaque access tokens with (RFC 7662). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcIntrospectionSpec {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Client ID registered at the provider.")
    private String clientId;

    @Required
    @JsonPropertyDescription("Secret key holding the client secret.")
    private SecretKeyReference clientSecretRef;

    public OidcIntrospectionSpec() {}

    public OidcIntrospectionSpec(String clientId, SecretKeyReference clientSecretRef) {
        this.clientId = clientId;
        this.clientSecretRef = clientSecretRef;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public SecretKeyReference getClientSecretRef() {
        return clientSecretRef;
    }

    public void setClientSecretRef(SecretKeyReference clientSecretRef) {
        this.clientSecretRef = clientSecretRef;
    }
}
