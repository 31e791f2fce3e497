package io.registryauth.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.registryauth.api.v1alpha1.RegistryAuth;
import java.util.Map;

/** Every name the operator derives or stamps, spelled once. */
public final class ResourceNames {
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "registry-auth-operator";
    /** On every object made for (or wired to) a RegistryAuth: its name, in the same namespace. */
    public static final String REGISTRY_AUTH_LABEL = "registryauth.io/registry-auth";
    /** Label selector of the informers that watch what the operator made. */
    public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY + "," + REGISTRY_AUTH_LABEL;
    /** Pod-template annotation carrying the hash of the bundle the pods run with; a change rolls them. */
    public static final String BUNDLE_HASH_ANNOTATION = "registryauth.io/bundle-hash";
    /** Volume added to the registry Deployment for the ConfigMap. */
    public static final String VOLUME = "registry-auth";
    public static final String BUNDLE_FILE = "rootcertbundle.pem";
    public static final String JWKS_FILE = "jwks.json";
    public static final String ISSUER_PREFIX = "registry-auth/";
    /** On a generated pull Secret: the name of the grant (in the same namespace) it belongs to. */
    public static final String ROBOT_FOR_LABEL = "registryauth.io/robot-for";
    /** Hash of the password in the pull Secret; the realm learns the robot's password from it. */
    public static final String PASSWORD_HASH_ANNOTATION = "registryauth.io/password-hash";
    /** Hash of the password replaced at the last rotation, accepted until the next annotation's instant. */
    public static final String PREVIOUS_PASSWORD_HASH_ANNOTATION = "registryauth.io/previous-password-hash";
    public static final String PREVIOUS_VALID_UNTIL_ANNOTATION = "registryauth.io/previous-valid-until";
    /** When the current password was generated (RFC 3339). */
    public static final String ROTATED_AT_ANNOTATION = "registryauth.io/rotated-at";

    private ResourceNames() {
    }

    /** The Secret holding the signing keys and the refresh-token key. */
    public static String signingSecret(RegistryAuth auth) {
        return auth.getMetadata().getName() + "-signing-keys";
    }

    /** The ConfigMap the registry mounts and takes its REGISTRY_AUTH_TOKEN_* variables from. */
    public static String registryConfigMap(RegistryAuth auth) {
        return auth.getMetadata().getName() + "-registry-auth";
    }

    /** The issuer when spec.issuer is empty: unique per RegistryAuth and stable across restarts. */
    public static String defaultIssuer(RegistryAuth auth) {
        return ISSUER_PREFIX + auth.getMetadata().getNamespace() + "/" + auth.getMetadata().getName();
    }

    /** spec.issuer, or the default. */
    public static String issuer(RegistryAuth auth) {
        String issuer = auth.getSpec() == null ? null : auth.getSpec().getIssuer();
        return issuer == null || issuer.isBlank() ? defaultIssuer(auth) : issuer;
    }

    /** "namespace/name", for logs, realm ids and indexes. */
    public static String key(HasMetadata resource) {
        return key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** Labels of the pull Secret generated for grant {@code grantName}. */
    public static Map<String, String> robotLabels(String grantName) {
        return Map.of(MANAGED_BY_LABEL, MANAGED_BY, ROBOT_FOR_LABEL, grantName);
    }

    /** Labels of the objects made for {@code auth}. */
    public static Map<String, String> labels(RegistryAuth auth) {
        return Map.of(MANAGED_BY_LABEL, MANAGED_BY, REGISTRY_AUTH_LABEL, auth.getMetadata().getName());
    }
}
