package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The generated credentials of a grant as shown in status (never the password or its hash). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsStatus {

    @JsonPropertyDescription("The dockerconfigjson Secret holding the current password.")
    private String secretName;

    @JsonPropertyDescription("User name of the grant's robot, as written in the Secret.")
    private String robot;

    @JsonPropertyDescription("Registry host written into the Secret.")
    private String registryHost;

    @JsonPropertyDescription("When the current password was issued (RFC 3339).")
    private String rotatedAt;

    @JsonPropertyDescription("When the password is replaced next (RFC 3339); unset when it never rotates.")
    private String nextRotationAt;

    @JsonPropertyDescription("Until when the previous password is still accepted (RFC 3339); unset when none is.")
    private String previousValidUntil;

    @JsonPropertyDescription("Service accounts whose imagePullSecrets list the Secret.")
    private List<String> serviceAccounts = new ArrayList<>();

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String secretName) {
        this.secretName = secretName;
    }

    public String getRobot() {
        return robot;
    }

    public void setRobot(String robot) {
        this.robot = robot;
    }

    public String getRegistryHost() {
        return registryHost;
    }

    public void setRegistryHost(String registryHost) {
        this.registryHost = registryHost;
    }

    public String getRotatedAt() {
        return rotatedAt;
    }

    public void setRotatedAt(String rotatedAt) {
        this.rotatedAt = rotatedAt;
    }

    public String getNextRotationAt() {
        return nextRotationAt;
    }

    public void setNextRotationAt(String nextRotationAt) {
        this.nextRotationAt = nextRotationAt;
    }

    public String getPreviousValidUntil() {
        return previousValidUntil;
    }

    public void setPreviousValidUntil(String previousValidUntil) {
        this.previousValidUntil = previousValidUntil;
    }

    public List<String> getServiceAccounts() {
        return serviceAccounts;
    }

    public void setServiceAccounts(List<String> serviceAccounts) {
        this.serviceAccounts = serviceAccounts == null ? new ArrayList<>() : serviceAccounts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CredentialsStatus other
                && Objects.equals(secretName, other.secretName)
                && Objects.equals(robot, other.robot)
                && Objects.equals(registryHost, other.registryHost)
                && Objects.equals(rotatedAt, other.rotatedAt)
                && Objects.equals(nextRotationAt, other.nextRotationAt)
                && Objects.equals(previousValidUntil, other.previousValidUntil)
                && Objects.equals(serviceAccounts, other.serviceAccounts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                secretName, robot, registryHost, rotatedAt, nextRotationAt, previousValidUntil, serviceAccounts);
    }

    @Override
    public String toString() {
        return "CredentialsStatus[" + secretName + " robot=" + robot + " rotatedAt=" + rotatedAt + "]";
    }
}
