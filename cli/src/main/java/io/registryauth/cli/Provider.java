package io.registryauth.cli;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * An identity provider a realm offers for CLI sign-in (from {@code /.well-known/registry-login}) together
 * with the endpoints its OIDC discovery document names.
 */
record Provider(String name, String issuer, String clientId, List<String> scopes, String usernameClaim,
                String groupsClaim, Endpoints endpoints) {

    record Endpoints(String authorization, String token, String deviceAuthorization, String revocation) {}

    static Provider fromRealm(Map<String, Object> json) {
        String name = Json.string(json, "name");
        String issuer = Json.string(json, "issuer");
        String clientId = Json.string(json, "clientId");
        if (name == null || issuer == null || clientId == null) {
            throw new CliException("the realm describes a provider without name, issuer or clientId");
        }
        List<String> scopes = Json.strings(json, "scopes");
        String usernameClaim = Json.string(json, "usernameClaim");
        return new Provider(name, issuer, clientId, scopes.isEmpty() ? List.of("openid") : scopes,
                usernameClaim == null ? "preferred_username" : usernameClaim, Json.string(json, "groupsClaim"), null);
    }

    /** Reads {@code <issuer>/.well-known/openid-configuration}; its issuer must be the one the realm named. */
    Provider discover(Http http) {
        URI uri = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        Http.Response response = http.get(uri, null);
        if (response.status() != 200) {
            throw new CliException("provider " + name + " answered HTTP " + response.status() + " for " + uri);
        }
        Map<String, Object> doc = response.json("the discovery document of provider " + name);
        if (!issuer.equals(Json.string(doc, "issuer"))) {
            throw new CliException("provider " + name + " names another issuer in its discovery document");
        }
        String token = Json.string(doc, "token_endpoint");
        if (token == null) {
            throw new CliException("provider " + name + " has no token endpoint");
        }
        return new Provider(name, issuer, clientId, scopes, usernameClaim, groupsClaim, new Endpoints(
                Json.string(doc, "authorization_endpoint"), token, Json.string(doc, "device_authorization_endpoint"),
                Json.string(doc, "revocation_endpoint")));
    }
}
