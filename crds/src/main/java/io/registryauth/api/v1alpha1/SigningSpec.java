package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;
import java.util.Optional;

/** How tokens are signed and how often the key changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SigningSpec {

    public static final String DEFAULT_ROTATION_PERIOD = "720h";

    @Default("ES256")
    @JsonPropertyDescription("Signature algorithm of newly generated keys.")
    private KeyAlgorithm algorithm = KeyAlgorithm.ES256;

    @Default(DEFAULT_ROTATION_PERIOD)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Age at which the active key is replaced, e.g. 720h; 0 never rotates.")
    private String rotationPeriod = DEFAULT_ROTATION_PERIOD;

    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription(
            "Without registry.deployment: how long a new key sits in the bundle before it signs, giving the"
                    + " registry time to restart with it. Defaults to the operator's setting.")
    private String rotationLeadTime;

    public KeyAlgorithm getAlgorithm() {
        return algorithm;
    }

    public void setAlgorithm(KeyAlgorithm algorithm) {
        this.algorithm = algorithm;
    }

    public String getRotationPeriod() {
        return rotationPeriod;
    }

    public void setRotationPeriod(String rotationPeriod) {
        this.rotationPeriod = rotationPeriod;
    }

    public String getRotationLeadTime() {
        return rotationLeadTime;
    }

    public void setRotationLeadTime(String rotationLeadTime) {
        this.rotationLeadTime = rotationLeadTime;
    }

    /** The rotation period ({@link Duration#ZERO} = never); throws when the text is invalid. */
    public Duration rotationPeriodDuration() {
        return Durations.parse(rotationPeriod, Durations.parse(DEFAULT_ROTATION_PERIOD));
    }

    /** The lead time when set; throws when the text is invalid. */
    public Optional<Duration> rotationLeadTimeDuration() {
        return rotationLeadTime == null || rotationLeadTime.isBlank()
                ? Optional.empty()
                : Optional.of(Durations.parse(rotationLeadTime));
    }
}
