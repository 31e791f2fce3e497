package io.registryauth.realm.http;

import static io.registryauth.realm.http.RealmFixture.PASSWORDS;
import static io.registryauth.realm.http.RealmFixture.SERVICE;
import static io.registryauth.realm.http.RealmFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.oidc.CliClient;
import io.registryauth.realm.auth.oidc.OidcProvider;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code GET /.well-known/registry-login}: what {@code registry-auth login} learns about a realm's providers. */
class RegistryLoginTest {
    static final OidcProvider OFFERED = new OidcProvider("corp", "https://idp.test/realms/corp", List.of("registry"),
            "preferred_username", "groups", "", Set.of(), new OidcProvider.Introspection("registry-auth", "s3cret"),
            null, Duration.ofMinutes(5), null, new CliClient("registry-cli", List.of("openid", "offline_access")));
    static final OidcProvider NOT_OFFERED = new OidcProvider("ci", "https://ci.test", List.of(), "sub", null, "",
            Set.of(), null, null, Duration.ofMinutes(5));

    static RealmConfig withProviders(RealmConfig base, List<OidcProvider> providers) {
        return new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(), base.tokenTtl(),
                base.refreshTtl(), base.keys(), base.refreshTokenKey(), base.anonymous(), base.users(), base.policy(),
                providers);
    }

    @Test
    void listsOnlyTheProvidersOfferedToTheCliWithoutTheirSecrets() {
        try (RealmFixture realm = RealmFixture.start()) {
            realm.swap(withProviders(RealmFixture.realm(realm.key, SERVICE, true, PASSWORDS.keySet()),
                    List.of(NOT_OFFERED, OFFERED)));

            HttpResponse<String> response = realm.get("/.well-known/registry-login?service=registry.test%3A5000");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(json(response)).isEqualTo(new JsonObject().put("service", SERVICE).put("providers",
                    List.of(new JsonObject().put("name", "corp").put("issuer", "https://idp.test/realms/corp")
                            .put("clientId", "registry-cli").put("scopes", List.of("openid", "offline_access"))
                            .put("usernameClaim", "preferred_username").put("groupsClaim", "groups"))));
            assertThat(response.body()).doesNotContain("s3cret").doesNotContain("registry-auth\"");
        }
    }

    @Test
    void unknownServicesAndRealmsWithoutCliProvidersAreNotFound() {
        try (RealmFixture realm = RealmFixture.start()) {
            realm.swap(withProviders(RealmFixture.realm(realm.key, SERVICE, true, PASSWORDS.keySet()),
                    List.of(NOT_OFFERED)));

            HttpResponse<String> none = realm.get("/.well-known/registry-login?service=registry.test%3A5000");
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(json(none).getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("NAME_UNKNOWN");
            assertThat(realm.get("/.well-known/registry-login?service=nope.test").statusCode()).isEqualTo(404);
            assertThat(realm.get("/.well-known/registry-login").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void scopesDefaultToOpenid() {
        assertThat(new CliClient("registry-cli", List.of()).scopes()).containsExactly("openid");
        assertThat(new CliClient("registry-cli", null).scopes()).containsExactly("openid");
    }
}
