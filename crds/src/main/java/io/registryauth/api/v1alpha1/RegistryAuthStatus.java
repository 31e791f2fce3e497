package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator made of a RegistryAuth. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistryAuthStatus extends ConditionedStatus {

    @JsonPropertyDescription("URL clients get tokens from (the registry's auth.token.realm).")
    private String realm;

    private String service;

    @JsonPropertyDescription("Key ID of the key signing tokens now.")
    private String activeKeyId;

    private List<KeyStatus> keys = new ArrayList<>();

    @JsonPropertyDescription("ConfigMap holding rootcertbundle.pem, jwks.json and REGISTRY_AUTH_TOKEN_* keys.")
    private String configMap;

    @JsonPropertyDescription("Secret holding the signing keys.")
    private String signingSecret;

    public String getRealm() {
        return realm;
    }

    public void setRealm(String realm) {
        this.realm = realm;
    }

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getActiveKeyId() {
        return activeKeyId;
    }

    public void setActiveKeyId(String activeKeyId) {
        this.activeKeyId = activeKeyId;
    }

    public List<KeyStatus> getKeys() {
        return keys;
    }

    public void setKeys(List<KeyStatus> keys) {
        this.keys = keys == null ? new ArrayList<>() : keys;
    }

    public String getConfigMap() {
        return configMap;
    }

    public void setConfigMap(String configMap) {
        this.configMap = configMap;
    }

    public String getSigningSecret() {
        return signingSecret;
    }

    public void setSigningSecret(String signingSecret) {
        this.signingSecret = signingSecret;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryAuthStatus other
                && Objects.equals(getObservedGeneration(), other.getObservedGeneration())
                && Objects.equals(getConditions(), other.getConditions())
                && Objects.equals(realm, other.realm)
                && Objects.equals(service, other.service)
                && Objects.equals(activeKeyId, other.activeKeyId)
                && Objects.equals(keys, other.keys)
                && Objects.equals(configMap, other.configMap)
                && Objects.equals(signingSecret, other.signingSecret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(getObservedGeneration(), getConditions(), realm, service, activeKeyId, keys);
    }
}
