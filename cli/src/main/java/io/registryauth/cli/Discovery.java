package io.registryauth.cli;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * From a registry name to the providers its realm offers: {@code GET /v2/} names the realm and service in
 * its Bearer challenge, the realm lists its CLI providers at {@code /.well-known/registry-login}.
 */
final class Discovery {
    record Realm(String tokenUrl, String service, List<Provider> providers) {}

    private Discovery() {
    }

    static Realm discover(Http http, String registry, boolean plainHttp) {
        URI v2 = URI.create(Registries.base(registry, plainHttp) + "/v2/");
        Http.Response answer = http.get(v2, null);
        String challenge = answer.headers().firstValue("WWW-Authenticate").orElse(null);
        Map<String, String> params = challenge == null ? Map.of() : bearerParams(challenge);
        String realm = params.get("realm");
        String service = params.get("service");
        if (answer.status() != 401 || realm == null || service == null) {
            throw new CliException(registry + " does not send clients to a token realm (HTTP " + answer.status()
                    + " for /v2/)");
        }
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new CliException(registry + " names a realm that is not a URL");
        }
        if (realmUri.getScheme() == null || realmUri.getAuthority() == null) {
            throw new CliException(registry + " names a realm that is not an absolute URL");
        }
        URI wellKnown = URI.create(realmUri.getScheme() + "://" + realmUri.getRawAuthority()
                + "/.well-known/registry-login?service=" + Http.encode(service));
        Http.Response login = http.get(wellKnown, null);
        if (login.status() == 404) {
            throw new CliException("the realm of " + registry + " offers no sign-in with an identity provider"
                    + " for service " + service);
        }
        if (login.status() != 200) {
            throw new CliException("the realm of " + registry + " answered HTTP " + login.status() + " for " + wellKnown);
        }
        Map<String, Object> json = login.json("the realm's sign-in description");
        List<Provider> providers = new ArrayList<>();
        if (json.get("providers") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> provider = (Map<String, Object>) map;
                    providers.add(Provider.fromRealm(provider));
                }
            }
        }
        if (providers.isEmpty()) {
            throw new CliException("the realm of " + registry + " offers no identity provider for CLI sign-in");
        }
        return new Realm(realm, service, providers);
    }

    /** The parameters of a {@code Bearer k="v",k2="v2"} challenge (RFC 7235 auth-params, quoted or not). */
    static Map<String, String> bearerParams(String header) {
        Map<String, String> params = new HashMap<>();
        String h = header.strip();
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return params;
        }
        int i = 7;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) {
                        i++;
                    }
                    value.append(h.charAt(i++));
                }
                i++;
            } else {
                while (i < h.length() && h.charAt(i) != ',') {
                    value.append(h.charAt(i++));
                }
            }
            params.putIfAbsent(key, value.toString().strip());
        }
        return params;
    }
}
