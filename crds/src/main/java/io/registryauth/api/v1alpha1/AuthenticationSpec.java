package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Who can get tokens. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.workloadIdentity) || !has(self.oidc)"
                + " || self.workloadIdentity.all(w, self.oidc.all(o, o.issuer != w.issuer))",
        message = "an issuer is either a workload identity provider's or an identity provider's (oidc), not both")
public class AuthenticationSpec {

    /** Bounded so the API server can afford the uniqueness rule (it costs the square of the length). */
    public static final int MAX_OIDC_PROVIDERS = 16;

    @JsonPropertyDescription("Whether clients without credentials get tokens (with anonymous grants only).")
    private boolean anonymous;

    @JsonPropertyDescription("Static users in htpasswd format; only bcrypt hashes (htpasswd -B) are accepted.")
    private SecretSource htpasswd;

    @JsonPropertyDescription("Optional group file: one 'group: user1,user2' line per group.")
    private SecretSource groups;

    @Size(max = MAX_OIDC_PROVIDERS)
    @ValidationRule(
            value = "self.all(p, self.exists_one(q, q.name == p.name))",
            message = "oidc provider names must be unique")
    @JsonPropertyDescription(
            "OAuth2/OIDC identity providers whose access tokens are accepted as the docker password. A JWT is"
                    + " tried only with the provider its iss names; opaque tokens with the introspection-backed"
                    + " providers in list order. Names must be unique.")
    private List<OidcProviderSpec> oidc = new ArrayList<>();

    @Size(max = MAX_OIDC_PROVIDERS)
    @ValidationRule(
            value = "self.all(p, self.exists_one(q, q.name == p.name))",
            message = "ldap directory names must be unique")
    @JsonPropertyDescription(
            "LDAP or Active Directory server sets whose users log in with their directory password. A name"
                    + " carrying a directory's usernamePrefix is that directory's; a bare name no htpasswd user has"
                    + " is the first unprefixed directory's.")
    private List<LdapSpec> ldap = new ArrayList<>();

    @Size(max = MAX_OIDC_PROVIDERS)
    @ValidationRule(
            value = "self.all(p, self.exists_one(q, q.name == p.name))",
            message = "workload identity provider names must be unique")
    @ValidationRule(
            value = "self.all(p, self.exists_one(q, q.issuer == p.issuer))",
            message = "workload identity provider issuers must be unique")
    @JsonPropertyDescription(
            "Issuers of workload ID tokens (GitHub Actions, GitLab CI id_tokens, any OIDC issuer describing jobs)"
                    + " accepted as the docker password under any username; grants match their claims with"
                    + " Workload subjects. A JWT whose iss is one of these goes to that provider and to no other"
                    + " source.")
    private List<WorkloadIdentitySpec> workloadIdentity = new ArrayList<>();

    @JsonPropertyDescription("Kubernetes service-account tokens as passwords, validated with a TokenReview.")
    private ServiceAccountAuthSpec serviceAccounts = new ServiceAccountAuthSpec();

    public boolean isAnonymous() {
        return anonymous;
    }

    public void setAnonymous(boolean anonymous) {
        this.anonymous = anonymous;
    }

    public SecretSource getHtpasswd() {
        return htpasswd;
    }

    public void setHtpasswd(SecretSource htpasswd) {
        this.htpasswd = htpasswd;
    }

    public SecretSource getGroups() {
        return groups;
    }

    public void setGroups(SecretSource groups) {
        this.groups = groups;
    }

    public List<OidcProviderSpec> getOidc() {
        return oidc;
    }

    public void setOidc(List<OidcProviderSpec> oidc) {
        this.oidc = oidc == null ? new ArrayList<>() : oidc;
    }

    public List<LdapSpec> getLdap() {
        return ldap;
    }

    public void setLdap(List<LdapSpec> ldap) {
        this.ldap = ldap == null ? new ArrayList<>() : ldap;
    }

    public List<WorkloadIdentitySpec> getWorkloadIdentity() {
        return workloadIdentity;
    }

    public void setWorkloadIdentity(List<WorkloadIdentitySpec> workloadIdentity) {
        this.workloadIdentity = workloadIdentity == null ? new ArrayList<>() : workloadIdentity;
    }

    public ServiceAccountAuthSpec getServiceAccounts() {
        return serviceAccounts;
    }

    public void setServiceAccounts(ServiceAccountAuthSpec serviceAccounts) {
        this.serviceAccounts = serviceAccounts == null ? new ServiceAccountAuthSpec() : serviceAccounts;
    }
}
