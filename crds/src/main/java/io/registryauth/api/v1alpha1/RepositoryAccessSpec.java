package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Subjects may perform actions on repositories matching patterns. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.credentials) || (has(self.subjects) && size(self.subjects) > 0)",
        message = "a grant needs subjects, credentials or both")
@ValidationRule(
        value = "!has(self.validFrom) || !has(self.validUntil) || timestamp(self.validUntil) > timestamp(self.validFrom)",
        message = "validUntil must be after validFrom")
public class RepositoryAccessSpec {

    @Required
    private RegistryRef registry;

    // Optional when credentials are asked for: a grant may exist only to give its robot a pull Secret.
    @JsonPropertyDescription("Who the grant is for; may be left out when credentials are generated.")
    private List<GrantSubject> subjects = new ArrayList<>();

    @Size(min = 1)
    @JsonPropertyDescription(
            "Repository patterns: '*' matches within one path segment, '**' across segments, e.g. team-a/**.")
    private List<String> repositories = new ArrayList<>();

    @Size(min = 1)
    @JsonPropertyDescription("pull, push, delete or * (all).")
    private List<RepositoryAction> actions = new ArrayList<>();

    @JsonPropertyDescription("Whether the subjects may list the registry's catalog (/v2/_catalog).")
    private boolean catalog;

    @JsonPropertyDescription(
            "Generated credentials: a robot that can do exactly what this grant allows, its password in a"
                    + " dockerconfigjson Secret of this namespace.")
    private CredentialsSpec credentials;

    @Pattern(Timestamps.PATTERN)
    @JsonPropertyDescription("When the grant starts to count (RFC 3339, e.g. 2026-07-01T08:00:00Z); now if left out.")
    private String validFrom;

    @Pattern(Timestamps.PATTERN)
    @JsonPropertyDescription("When the grant stops counting (RFC 3339), exactly, whatever the operator is doing; "
            + "never if left out. Must be after validFrom.")
    private String validUntil;

    public RegistryRef getRegistry() {
        return registry;
    }

    public void setRegistry(RegistryRef registry) {
        this.registry = registry;
    }

    public List<GrantSubject> getSubjects() {
        return subjects;
    }

    public void setSubjects(List<GrantSubject> subjects) {
        this.subjects = subjects == null ? new ArrayList<>() : subjects;
    }

    public List<String> getRepositories() {
        return repositories;
    }

    public void setRepositories(List<String> repositories) {
        this.repositories = repositories == null ? new ArrayList<>() : repositories;
    }

    public List<RepositoryAction> getActions() {
        return actions;
    }

    public void setActions(List<RepositoryAction> actions) {
        this.actions = actions == null ? new ArrayList<>() : actions;
    }

    public boolean isCatalog() {
        return catalog;
    }

    public void setCatalog(boolean catalog) {
        this.catalog = catalog;
    }

    public CredentialsSpec getCredentials() {
        return credentials;
    }

    public void setCredentials(CredentialsSpec credentials) {
        this.credentials = credentials;
    }

    public String getValidFrom() {
        return validFrom;
    }

    public void setValidFrom(String validFrom) {
        this.validFrom = validFrom;
    }

    public String getValidUntil() {
        return validUntil;
    }

    public void setValidUntil(String validUntil) {
        this.validUntil = validUntil;
    }

    /** {@link #getValidFrom()} as an instant, null when not set; throws IllegalArgumentException when unreadable. */
    public Instant validFromInstant() {
        return validFrom == null ? null : Timestamps.parse(validFrom);
    }

    /** {@link #getValidUntil()} as an instant, null when not set; throws IllegalArgumentException when unreadable. */
    public Instant validUntilInstant() {
        return validUntil == null ? null : Timestamps.parse(validUntil);
    }
}
