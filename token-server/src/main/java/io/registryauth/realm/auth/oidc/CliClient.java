package io.registryauth.realm.auth.oidc;

import java.util.List;
import java.util.Objects;

/**
 * The public client {@code registry-auth login} uses at a provider, as the realm publishes it at
 * {@code /.well-known/registry-login}.
 *
 * @param clientId the provider's public client ID
 * @param scopes   scopes to ask for; empty = {@code openid}
 */
public record CliClient(String clientId, List<String> scopes) {
    public CliClient {
        Objects.requireNonNull(clientId, "clientId");
        scopes = scopes == null || scopes.isEmpty() ? List.of("openid") : List.copyOf(scopes);
    }
}
