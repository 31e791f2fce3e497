package io.registryauth.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One registry's sign-in, as stored in {@code <config dir>/sessions/}: where the realm is, which provider
 * and client signed in, and the provider's tokens. Times are epoch seconds; 0 = not known / no limit.
 */
record Session(String registry, String realm, String service, String provider, String issuer, String clientId,
               String tokenEndpoint, String revocationEndpoint, String username, List<String> groups,
               String accessToken, long accessObtainedAt, long accessExpiresAt, String refreshToken, long sessionExpiresAt,
               List<String> configuredFiles) {

    Session {
        groups = List.copyOf(groups);
        configuredFiles = List.copyOf(configuredFiles);
    }

    Session withTokens(String access, long obtained, long accessExpires, String refresh, long sessionExpires) {
        return new Session(registry, realm, service, provider, issuer, clientId, tokenEndpoint, revocationEndpoint,
                username, groups, access, obtained, accessExpires, refresh, sessionExpires, configuredFiles);
    }

    Session withConfiguredFiles(List<String> files) {
        return new Session(registry, realm, service, provider, issuer, clientId, tokenEndpoint, revocationEndpoint,
                username, groups, accessToken, accessObtainedAt, accessExpiresAt, refreshToken, sessionExpiresAt, files);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("registry", registry);
        json.put("realm", realm);
        json.put("service", service);
        json.put("provider", provider);
        json.put("issuer", issuer);
        json.put("clientId", clientId);
        json.put("tokenEndpoint", tokenEndpoint);
        if (revocationEndpoint != null) {
            json.put("revocationEndpoint", revocationEndpoint);
        }
        json.put("username", username);
        json.put("groups", groups);
        json.put("accessToken", accessToken);
        json.put("accessObtainedAt", accessObtainedAt);
        json.put("accessExpiresAt", accessExpiresAt);
        if (refreshToken != null) {
            json.put("refreshToken", refreshToken);
        }
        json.put("sessionExpiresAt", sessionExpiresAt);
        json.put("configuredFiles", configuredFiles);
        return json;
    }

    static Session fromJson(Map<String, Object> json) {
        return new Session(Json.string(json, "registry"), Json.string(json, "realm"), Json.string(json, "service"),
                Json.string(json, "provider"), Json.string(json, "issuer"), Json.string(json, "clientId"),
                Json.string(json, "tokenEndpoint"), Json.string(json, "revocationEndpoint"),
                Json.string(json, "username"), Json.strings(json, "groups"), Json.string(json, "accessToken"),
                Json.number(json, "accessObtainedAt", 0), Json.number(json, "accessExpiresAt", 0), Json.string(json, "refreshToken"),
                Json.number(json, "sessionExpiresAt", 0), Json.strings(json, "configuredFiles"));
    }

    @Override
    public String toString() {
        return "Session[" + registry + ", " + username + " via " + provider + "]";
    }
}
