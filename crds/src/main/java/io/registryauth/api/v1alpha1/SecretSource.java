package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;

/** A file whose content lives in a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretSource {

    @Required
    private SecretKeyReference secretRef;

    public SecretSource() {}

    public SecretSource(SecretKeyReference secretRef) {
        this.secretRef = secretRef;
    }

    public SecretKeyReference getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(SecretKeyReference secretRef) {
        this.secretRef = secretRef;
    }
}
