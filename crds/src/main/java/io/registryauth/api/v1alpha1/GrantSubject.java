package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An RBAC-style subject of a grant. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.kind in ['Anonymous', 'Authenticated', 'Workload'] || (has(self.name) && size(self.name) > 0)",
        message = "User, Group and ServiceAccount subjects need a name")
@ValidationRule(
        value = "self.kind != 'Workload' || (has(self.provider) && has(self.claims) && size(self.claims) > 0)",
        message = "a Workload subject names its provider and pins at least one claim to an exact value")
@ValidationRule(
        value = "self.kind == 'Workload' || (!has(self.provider) && !has(self.claims) && !has(self.claimPatterns)"
                + " && !has(self.condition))",
        message = "provider, claims, claimPatterns and condition belong to Workload subjects")
@ValidationRule(
        value = "(!has(self.claims) || !('sub' in self.claims)) && (!has(self.claimPatterns)"
                + " || !('sub' in self.claimPatterns))",
        message = "sub is never matched: match the claims it is made of (repository and ref, project_path and ref)")
@ValidationRule(
        value = "!has(self.claimPatterns) || self.claimPatterns.all(k, k in " + GrantSubject.PATTERN_CLAIMS_CEL + ")",
        message = "claimPatterns are allowed only on ref, base_ref, head_ref, environment, workflow, workflow_ref,"
                + " job_workflow_ref and ci_config_ref_uri")
@ValidationRule(
        value = "!has(self.claims) || self.claims.all(k, k.matches('" + GrantSubject.CLAIM_NAME_PATTERN + "'))",
        message = "claim names are letters, digits and '_', at most 64")
public class GrantSubject {

    /** The claims a glob may test (the realm's WorkloadMatch.PATTERN_CLAIMS, which a test keeps equal). */
    public static final String PATTERN_CLAIMS_CEL = "['ref', 'base_ref', 'head_ref', 'environment', 'workflow',"
            + " 'workflow_ref', 'job_workflow_ref', 'ci_config_ref_uri']";
    public static final String CLAIM_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]{0,63}$";

    /** Who the subject is. */
    public enum Kind {
        @JsonProperty("User")
        USER,
        @JsonProperty("Group")
        GROUP,
        @JsonProperty("ServiceAccount")
        SERVICE_ACCOUNT,
        /** Clients without credentials. */
        @JsonProperty("Anonymous")
        ANONYMOUS,
        /** Any client that proved an identity, except workloads (CI jobs). */
        @JsonProperty("Authenticated")
        AUTHENTICATED,
        /** A CI job or other workload admitted with its ID token, by the claims of that token. */
        @JsonProperty("Workload")
        WORKLOAD
    }

    @Required
    private Kind kind;

    @JsonPropertyDescription("User, group or service-account name; not used for Anonymous/Authenticated.")
    private String name;

    @JsonPropertyDescription("ServiceAccount namespace; defaults to the grant's own.")
    private String namespace;

    /** A source as identities carry it: htpasswd, or oidc:<provider name> (and later sources' own forms). */
    public static final String SOURCE_PATTERN = "^[a-z]+(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$";

    @Pattern(SOURCE_PATTERN)
    @JsonPropertyDescription(
            "For User and Group subjects: only identities of this source match, e.g. htpasswd or oidc:corp (an"
                    + " identity provider's name). Unset = the name from any source.")
    private String source;

    @Size(max = 63)
    @JsonPropertyDescription("For Workload subjects: the name of a spec.authentication.workloadIdentity provider.")
    private String provider;

    @Size(max = 16)
    @JsonPropertyDescription(
            "For Workload subjects: claims the ID token must hold with exactly these values, e.g."
                    + " repository_owner_id and repository_id (GitHub), project_id and namespace_id (GitLab). At"
                    + " least one; never sub. Numbers and booleans compare as JSON writes them.")
    private java.util.Map<@Pattern(CLAIM_NAME_PATTERN) String, @Size(min = 1, max = 256) String> claims;

    @Size(max = 8)
    @JsonPropertyDescription(
            "For Workload subjects: globs the named claims must match ('*' within one path segment, '**' across"
                    + " them), only on ref, base_ref, head_ref, environment, workflow, workflow_ref,"
                    + " job_workflow_ref and ci_config_ref_uri, e.g. ref: refs/heads/main or refs/tags/v*.")
    private java.util.Map<String, @Size(min = 1, max = 256) String> claimPatterns;

    @Size(max = 2048)
    @JsonPropertyDescription(
            "For Workload subjects: a CEL expression over the map 'claims' that must be true, for what claims and"
                    + " claimPatterns cannot say, e.g. claims.ref_protected == 'true'. A missing claim or an error"
                    + " counts as false.")
    private String condition;

    public GrantSubject() {}

    public GrantSubject(Kind kind, String name, String namespace) {
        this.kind = kind;
        this.name = name;
        this.namespace = namespace;
    }

    public Kind getKind() {
        return kind;
    }

    public void setKind(Kind kind) {
        this.kind = kind;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public java.util.Map<String, String> getClaims() {
        return claims;
    }

    public void setClaims(java.util.Map<String, String> claims) {
        this.claims = claims;
    }

    public java.util.Map<String, String> getClaimPatterns() {
        return claimPatterns;
    }

    public void setClaimPatterns(java.util.Map<String, String> claimPatterns) {
        this.claimPatterns = claimPatterns;
    }

    public String getCondition() {
        return condition;
    }

    public void setCondition(String condition) {
        this.condition = condition;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }
}
