package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One registry's realm: the token audience, signing keys, users and tenancy rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistryAuthSpec {

    /** Jib puts the service into the token URL unencoded, so these characters would corrupt it. */
    public static final String SERVICE_PATTERN = "^[^\\s\"'&+]+$";

    @Required
    @Pattern(SERVICE_PATTERN)
    @PrinterColumn(name = "Service")
    @JsonPropertyDescription(
            "Token audience, equal to the registry's auth.token.service; unique across all RegistryAuths."
                    + " No spaces, quotes, '&' or '+'.")
    private String service;

    @JsonPropertyDescription("Token issuer (iss); defaults to registry-auth/<namespace>/<name>.")
    private String issuer;

    @Pattern("^https?://[^?#\\s]+$")
    @JsonPropertyDescription(
            "Absolute URL (no query) clients get tokens from; defaults to the operator's public realm URL.")
    private String realm;

    private TokenSpec token = new TokenSpec();

    private SigningSpec signing = new SigningSpec();

    private AuthenticationSpec authentication = new AuthenticationSpec();

    private TenancySpec tenancy = new TenancySpec();

    private RegistrySpec registry;

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getIssuer() {
        return issuer;
    }

    public void setIssuer(String issuer) {
        this.issuer = issuer;
    }

    public String getRealm() {
        return realm;
    }

    public void setRealm(String realm) {
        this.realm = realm;
    }

    public TokenSpec getToken() {
        return token;
    }

    public void setToken(TokenSpec token) {
        this.token = token == null ? new TokenSpec() : token;
    }

    public SigningSpec getSigning() {
        return signing;
    }

    public void setSigning(SigningSpec signing) {
        this.signing = signing == null ? new SigningSpec() : signing;
    }

    public AuthenticationSpec getAuthentication() {
        return authentication;
    }

    public void setAuthentication(AuthenticationSpec authentication) {
        this.authentication = authentication == null ? new AuthenticationSpec() : authentication;
    }

    public TenancySpec getTenancy() {
        return tenancy;
    }

    public void setTenancy(TenancySpec tenancy) {
        this.tenancy = tenancy == null ? new TenancySpec() : tenancy;
    }

    public RegistrySpec getRegistry() {
        return registry;
    }

    public void setRegistry(RegistrySpec registry) {
        this.registry = registry;
    }
}
