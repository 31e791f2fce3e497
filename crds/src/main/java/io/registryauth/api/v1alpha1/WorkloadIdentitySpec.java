package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One issuer of workload ID tokens (GitHub Actions, a GitLab instance, any OIDC issuer describing jobs),
 * whose tokens are accepted as the docker password under any username. Field for field the realm's
 * {@code WorkloadProvider}, with a Secret reference for the CA bundle.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadIdentitySpec {

    public static final String DEFAULT_SESSION_MAX_AGE = "1h";
    public static final String GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

    @Required
    @Size(max = 63)
    @Pattern(OidcProviderSpec.NAME_PATTERN)
    @JsonPropertyDescription(
            "Short name (a DNS label), unique within the list; Workload subjects of grants name it as their"
                    + " provider, and identities it admits carry workload:<name> as their source.")
    private String name;

    @Required
    @Pattern(OidcProviderSpec.ISSUER_PATTERN)
    @JsonPropertyDescription(
            "Issuer URL, equal to the tokens' iss, e.g. https://token.actions.githubusercontent.com or"
                    + " https://gitlab.example.com; keys found through <issuer>/.well-known/openid-configuration."
                    + " No identity provider in spec.authentication.oidc may have the same issuer.")
    private String issuer;

    @Size(max = 8)
    @JsonPropertyDescription(
            "Audiences the ID token must name (any one); empty = the RegistryAuth's service. The job requests it:"
                    + " the audience parameter on GitHub, id_tokens.<NAME>.aud on GitLab.")
    private List<@Size(max = 256) String> audiences = new ArrayList<>();

    @Default(DEFAULT_SESSION_MAX_AGE)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription(
            "How long the session of a login (the realm refresh token docker keeps) lasts, so a job longer than"
                    + " its ID token keeps pushing; 0 = it ends with the ID token. Never longer than"
                    + " spec.token.refreshTtl.")
    private String sessionMaxAge = DEFAULT_SESSION_MAX_AGE;

    @JsonPropertyDescription(
            "Secret key with PEM CA certificates to trust for this issuer; unset = the default trust store.")
    private SecretKeyReference caBundleRef;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getIssuer() {
        return issuer;
    }

    public void setIssuer(String issuer) {
        this.issuer = issuer;
    }

    public List<String> getAudiences() {
        return audiences;
    }

    public void setAudiences(List<String> audiences) {
        this.audiences = audiences == null ? new ArrayList<>() : audiences;
    }

    public String getSessionMaxAge() {
        return sessionMaxAge;
    }

    public void setSessionMaxAge(String sessionMaxAge) {
        this.sessionMaxAge = sessionMaxAge;
    }

    public SecretKeyReference getCaBundleRef() {
        return caBundleRef;
    }

    public void setCaBundleRef(SecretKeyReference caBundleRef) {
        this.caBundleRef = caBundleRef;
    }

    /** The session length; throws IllegalArgumentException when the text is invalid. */
    public Duration sessionMaxAgeDuration() {
        try {
            return Durations.parse(sessionMaxAge, Durations.parse(DEFAULT_SESSION_MAX_AGE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sessionMaxAge: " + e.getMessage(), e);
        }
    }
}
