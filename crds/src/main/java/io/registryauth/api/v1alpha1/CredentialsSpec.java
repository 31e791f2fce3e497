package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
  * Generated credentials of a grant: a robot identity that can do exactly what the grant allows, and a
  * kubernetes.io/dockerconfigjson Secret holding its password, for imagePullSecrets and build jobs.
  */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.rotationPeriod) || !has(self.gracePeriod) || self.rotationPeriod == '0'"
                + " || self.gracePeriod == '0' || duration(self.gracePeriod) < duration(self.rotationPeriod)",
        message = "gracePeriod must be shorter than rotationPeriod (only the previous password is kept, so it"
                + " ends at the next rotation); the default gracePeriod is " + CredentialsSpec.DEFAULT_GRACE_PERIOD)
public class CredentialsSpec {

    /** Names of Secrets and service accounts (RFC 1123 subdomains); RE2-compatible, no look-ahead. */
    public static final String DNS_SUBDOMAIN_PATTERN =
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    public static final int MAX_NAME_LENGTH = 253;
    public static final String DEFAULT_ROTATION_PERIOD = "24h";
    public static final String DEFAULT_GRACE_PERIOD = "1h";

    @Required
    @Size(max = MAX_NAME_LENGTH)
    @Pattern(DNS_SUBDOMAIN_PATTERN)
    @JsonPropertyDescription(
            "Name of the kubernetes.io/dockerconfigjson Secret the operator writes in the grant's namespace."
                    + " The operator owns it: edits are put back, and it is deleted with the grant.")
    private String secretName;

    @Default(DEFAULT_ROTATION_PERIOD)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Age at which the password is replaced, e.g. 24h; 0 never rotates.")
    private String rotationPeriod = DEFAULT_ROTATION_PERIOD;

    @Default(DEFAULT_GRACE_PERIOD)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription(
            "How long the previous password stays valid after a rotation, so pulls that started with it"
                    + " finish, e.g. 1h; 0 revokes it at once.")
    private String gracePeriod = DEFAULT_GRACE_PERIOD;

    @Size(max = 32)
    @JsonPropertyDescription(
            "Service accounts in the grant's namespace whose imagePullSecrets get the Secret, e.g. [default],"
                    + " so their pods pull without further setup.")
    private List<@Size(max = MAX_NAME_LENGTH) @Pattern(DNS_SUBDOMAIN_PATTERN) String> serviceAccounts =
            new ArrayList<>();

    public CredentialsSpec() {}

    public CredentialsSpec(String secretName) {
        this.secretName = secretName;
    }

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String secretName) {
        this.secretName = secretName;
    }

    public String getRotationPeriod() {
        return rotationPeriod;
    }

    public void setRotationPeriod(String rotationPeriod) {
        this.rotationPeriod = rotationPeriod;
    }

    public String getGracePeriod() {
        return gracePeriod;
    }

    public void setGracePeriod(String gracePeriod) {
        this.gracePeriod = gracePeriod;
    }

    public List<String> getServiceAccounts() {
        return serviceAccounts;
    }

    public void setServiceAccounts(List<String> serviceAccounts) {
        this.serviceAccounts = serviceAccounts == null ? new ArrayList<>() : serviceAccounts;
    }

    /** The rotation period ({@link Duration#ZERO} = never); throws IllegalArgumentException when invalid. */
    public Duration rotationPeriodDuration() {
        return Durations.parse(rotationPeriod, Durations.parse(DEFAULT_ROTATION_PERIOD));
    }

    /** The grace period ({@link Duration#ZERO} = none); throws IllegalArgumentException when invalid. */
    public Duration gracePeriodDuration() {
        return Durations.parse(gracePeriod, Durations.parse(DEFAULT_GRACE_PERIOD));
    }
}
