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
 * One OAuth2/OIDC identity provider whose access tokens are accepted as the docker password. Field for
 * field the realm's {@code OidcProvider}, with Secret references where that record holds the material.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcProviderSpec {

    /** A DNS label: the name shows up in logs and identities, so it stays short and plain. */
    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /**
      * https with a host and no query or fragment (OIDC discovery forbids them); plain http only on the
      * loopback host, for a provider running beside the realm in tests and development.
      */
    public static final String ISSUER_PATTERN =
            "^(https://[^\\s/?#]+|http://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?)(/[^\\s?#]*)?$";

    /** Basic credentials split at the first ':', so a username holding one (or a space) never logs in. */
    public static final String DOCKER_USERNAME_PATTERN = "^[^:\\s]+$";

    public static final String DEFAULT_USERNAME_CLAIM = "preferred_username";
    public static final String DEFAULT_RECHECK_INTERVAL = "5m";
    public static final String DEFAULT_SESSION_MAX_AGE = "12h";

    @Required
    @Size(max = 63)
    @Pattern(NAME_PATTERN)
    @JsonPropertyDescription(
            "Short name of the provider (a DNS label), unique within the list; recorded as the authenticator of"
                    + " the identities it admits.")
    private String name;

    @Required
    @Pattern(ISSUER_PATTERN)
    @JsonPropertyDescription(
            "Issuer URL, equal to the tokens' iss; discovery at <issuer>/.well-known/openid-configuration."
                    + " https, or http on localhost/127.0.0.1 only.")
    private String issuer;

    @JsonPropertyDescription(
            "Audiences the access token must name (any one of them); empty = the RegistryAuth's service. Add an"
                    + " audience mapper for it at the provider.")
    private List<String> audiences = new ArrayList<>();

    @Default(DEFAULT_USERNAME_CLAIM)
    @Size(min = 1)
    @JsonPropertyDescription("Claim holding the user name; the docker username must equal it.")
    private String usernameClaim = DEFAULT_USERNAME_CLAIM;

    @JsonPropertyDescription(
            "String or array claim holding the groups; dotted paths such as realm_access.roles reach nested"
                    + " claims. Unset = no groups.")
    private String groupsClaim;

    @JsonPropertyDescription(
            "Prefixed to the provider's user and group names, so its 'alice' and 'admins' are never another"
                    + " source's; grants name the prefixed form. Unset = '<name>:'; '' = no prefix (the names then"
                    + " meet htpasswd users' names, and grants should name their source).")
    private String usernamePrefix;

    @JsonPropertyDescription(
            "Docker usernames accepted in place of the token's own, for tools that cannot choose one,"
                    + " e.g. oauth2accesstoken.")
    private List<@Pattern(DOCKER_USERNAME_PATTERN) String> fixedUsernames = new ArrayList<>();

    @JsonPropertyDescription("Client credentials for RFC 7662 token introspection, for opaque tokens.")
    private OidcIntrospectionSpec introspection;

    @JsonPropertyDescription(
            "Secret key with PEM CA certificates to trust for this provider; unset = the default trust store.")
    private SecretKeyReference caBundleRef;

    @Default(DEFAULT_RECHECK_INTERVAL)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription(
            "How often using a realm refresh token re-asks an introspection-backed provider whether the user"
                    + " is still active, e.g. 5m.")
    private String recheckInterval = DEFAULT_RECHECK_INTERVAL;

    @Default(DEFAULT_SESSION_MAX_AGE)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription(
            "How long a session (the realm refresh token docker keeps after login) lasts once the provider can no"
                    + " longer be asked about the login's access token, e.g. 12h; 0 = it ends with that token."
                    + " Never longer than spec.token.refreshTtl.")
    private String sessionMaxAge = DEFAULT_SESSION_MAX_AGE;

    @JsonPropertyDescription("Offers this provider to `registry-auth login`: the public client it signs in with.")
    private OidcCliSpec cli;

    public OidcCliSpec getCli() {
        return cli;
    }

    public void setCli(OidcCliSpec cli) {
        this.cli = cli;
    }

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

    public String getUsernameClaim() {
        return usernameClaim;
    }

    public void setUsernameClaim(String usernameClaim) {
        this.usernameClaim =
                usernameClaim == null || usernameClaim.isBlank() ? DEFAULT_USERNAME_CLAIM : usernameClaim;
    }

    public String getGroupsClaim() {
        return groupsClaim;
    }

    public void setGroupsClaim(String groupsClaim) {
        this.groupsClaim = groupsClaim;
    }

    public String getUsernamePrefix() {
        return usernamePrefix;
    }

    public void setUsernamePrefix(String usernamePrefix) {
        this.usernamePrefix = usernamePrefix;
    }

    public List<String> getFixedUsernames() {
        return fixedUsernames;
    }

    public void setFixedUsernames(List<String> fixedUsernames) {
        this.fixedUsernames = fixedUsernames == null ? new ArrayList<>() : fixedUsernames;
    }

    public OidcIntrospectionSpec getIntrospection() {
        return introspection;
    }

    public void setIntrospection(OidcIntrospectionSpec introspection) {
        this.introspection = introspection;
    }

    public SecretKeyReference getCaBundleRef() {
        return caBundleRef;
    }

    public void setCaBundleRef(SecretKeyReference caBundleRef) {
        this.caBundleRef = caBundleRef;
    }

    public String getRecheckInterval() {
        return recheckInterval;
    }

    public void setRecheckInterval(String recheckInterval) {
        this.recheckInterval = recheckInterval;
    }

    public String getSessionMaxAge() {
        return sessionMaxAge;
    }

    public void setSessionMaxAge(String sessionMaxAge) {
        this.sessionMaxAge = sessionMaxAge;
    }

    /** The session length once the provider cannot be asked; throws IllegalArgumentException when invalid. */
    public Duration sessionMaxAgeDuration() {
        try {
            return Durations.parse(sessionMaxAge, Durations.parse(DEFAULT_SESSION_MAX_AGE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sessionMaxAge: " + e.getMessage(), e);
        }
    }

    /** The recheck interval; throws IllegalArgumentException when the text is invalid. */
    public Duration recheckIntervalDuration() {
        try {
            return Durations.parse(recheckInterval, Durations.parse(DEFAULT_RECHECK_INTERVAL));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("recheckInterval: " + e.getMessage(), e);
        }
    }
}
