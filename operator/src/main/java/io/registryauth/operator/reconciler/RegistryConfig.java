package io.registryauth.operator.reconciler;

import com.nimbusds.jose.jwk.JWKSet;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the registry needs from its realm: the ConfigMap's data, usable both as mounted files and through
 * {@code envFrom} (the REGISTRY_AUTH_TOKEN_* keys become the registry's auth.token settings).
 *
 * @param mountPath where the ConfigMap is mounted in the registry container
 */
record RegistryConfig(String realm, String service, String issuer, String mountPath,
                      SigningKeySecret.Contents keys) {
    static final String ENV_REALM = "REGISTRY_AUTH_TOKEN_REALM";
    static final String ENV_SERVICE = "REGISTRY_AUTH_TOKEN_SERVICE";
    static final String ENV_ISSUER = "REGISTRY_AUTH_TOKEN_ISSUER";
    static final String ENV_ROOTCERTBUNDLE = "REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE";
    static final String ENV_JWKS = "REGISTRY_AUTH_TOKEN_JWKS";

    Map<String, String> data() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(ResourceNames.BUNDLE_FILE, keys.certificateBundlePem());
        data.put(ResourceNames.JWKS_FILE, jwksJson());
        data.put(ENV_REALM, realm);
        data.put(ENV_SERVICE, service);
        data.put(ENV_ISSUER, issuer);
        data.put(ENV_ROOTCERTBUNDLE, path(ResourceNames.BUNDLE_FILE));
        data.put(ENV_JWKS, path(ResourceNames.JWKS_FILE));
        return data;
    }

    /** The public keys for distribution v3, in the bundle's order, with the kids tokens carry. */
    String jwksJson() {
        return new JWKSet(keys.bundleOrder().stream().map(k -> k.key().publicJwk()).toList()).toString(true);
    }

    private String path(String file) {
        return mountPath.endsWith("/") ? mountPath + file : mountPath + "/" + file;
    }
}
