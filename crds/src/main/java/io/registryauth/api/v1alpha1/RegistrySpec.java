package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** The registry this realm serves. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistrySpec {

    public static final String DEFAULT_MOUNT_PATH = "/etc/registry-auth";

    @JsonPropertyDescription(
            "Registry Deployment in the same namespace: the operator mounts the certificate bundle into it,"
                    + " adds the REGISTRY_AUTH_TOKEN_* variables and waits for its rollout before a new key signs.")
    private String deployment;

    @JsonPropertyDescription(
            "Container to wire in that Deployment; defaults to the container named 'registry', else the first.")
    private String container;

    @Default(DEFAULT_MOUNT_PATH)
    @Pattern("^/.*")
    @JsonPropertyDescription("Directory the registry ConfigMap is mounted at in the registry container.")
    private String mountPath = DEFAULT_MOUNT_PATH;

    @JsonPropertyDescription(
            "Host (and port) clients push to, e.g. registry.example.com; the server named in generated pull"
                    + " Secrets.")
    private String host;

    public String getDeployment() {
        return deployment;
    }

    public void setDeployment(String deployment) {
        this.deployment = deployment;
    }

    public String getContainer() {
        return container;
    }

    public void setContainer(String container) {
        this.container = container;
    }

    public String getMountPath() {
        return mountPath;
    }

    public void setMountPath(String mountPath) {
        this.mountPath = mountPath == null || mountPath.isBlank() ? DEFAULT_MOUNT_PATH : mountPath;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }
}
