package io.registryauth.realm.http;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmException;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /.well-known/registry-login?service=S}: the identity providers a realm offers to
 * {@code registry-auth login} (name, issuer, public client, scopes, the claims it reads), so the CLI needs
 * nothing but the registry's name. Only public facts: no secret of a provider is ever part of it.
 */
final class RegistryLogin {
    static final String PATH = "/.well-known/registry-login";

    private RegistryLogin() {
    }

    static void handle(RoutingContext ctx, RealmState state) {
        String service = FormFields.decode(ctx.request().query()).first("service");
        if (service == null || service.isEmpty()) {
            throw RealmException.badRequest("service is required");
        }
        RealmConfig realm = state.current().realm(service).orElseThrow(
                () -> new RealmException(404, "NAME_UNKNOWN", "unknown service"));
        JsonArray providers = new JsonArray();
        for (OidcProvider provider : realm.oidcProviders()) {
            if (provider.cli() == null) {
                continue;
            }
            JsonObject entry = new JsonObject()
                    .put("name", provider.name())
                    .put("issuer", provider.issuer())
                    .put("clientId", provider.cli().clientId())
                    .put("scopes", new JsonArray(provider.cli().scopes()))
                    .put("usernameClaim", provider.usernameClaim());
            if (provider.groupsClaim() != null) {
                entry.put("groupsClaim", provider.groupsClaim());
            }
            providers.add(entry);
        }
        if (providers.isEmpty()) {
            throw new RealmException(404, "NAME_UNKNOWN", "no identity provider offers CLI sign-in for this service");
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(new JsonObject().put("service", service).put("providers", providers).encode());
    }
}
