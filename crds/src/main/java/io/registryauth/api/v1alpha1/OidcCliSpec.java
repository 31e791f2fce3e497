package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * The public client {@code registry-auth login} signs in with at this provider; the realm publishes it at
 * {@code /.well-known/registry-login}. Public: the CLI holds no secret, PKCE protects the code.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcCliSpec {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Client ID of a public client at the provider (authorization code with PKCE on a"
            + " loopback redirect, and/or the device authorization grant).")
    private String clientId;

    @JsonPropertyDescription("Scopes the CLI asks for; empty = [openid]. Add offline_access for sign-ins that"
            + " outlive the provider's browser session.")
    private List<@Size(min = 1) String> scopes = new ArrayList<>();

    public OidcCliSpec() {}

    public OidcCliSpec(String clientId, List<String> scopes) {
        this.clientId = clientId;
        setScopes(scopes);
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public List<String> getScopes() {
        return scopes;
    }

    public void setScopes(List<String> scopes) {
        this.scopes = scopes == null ? new ArrayList<>() : new ArrayList<>(scopes);
    }
}
