package io.registryauth.realm.auth.oidc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One OAuth2/OIDC identity provider whose access tokens a realm accepts as the docker password.
 *
 * @param name            short name, recorded as the authenticator of the identities it admits
 * @param issuer          issuer URL; discovery at {@code <issuer>/.well-known/openid-configuration}
 * @param audiences       required audience(s) of the access token; empty = not checked
 * @param usernameClaim   claim holding the user name (e.g. preferred_username)
 * @param groupsClaim     string or array claim with groups, dotted paths allowed (realm_access.roles); null = none
 * @param usernamePrefix  prefixed to user and group names so two providers' "alice" cannot collide
 * @param fixedUsernames  docker usernames accepted instead of the token's own (e.g. oauth2accesstoken)
 * @param introspection   client credentials for RFC 7662 introspection; null = local JWT validation only
 * @param caBundlePem     PEM certificates to trust for this provider; null = the JVM's trust store
 * @param recheckInterval how often a refresh-token use re-asks an introspection-backed provider; null = 5 minutes
 * @param cli             the public client offered to {@code registry-auth login}; null = not offered
 */
public record OidcProvider(String name, String issuer, List<String> audiences, String usernameClaim,
                           String groupsClaim, String usernamePrefix, Set<String> fixedUsernames,
                           Introspection introspection, String caBundlePem, Duration recheckInterval,
                           CliClient cli) {
    public OidcProvider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(usernameClaim, "usernameClaim");
        audiences = List.copyOf(audiences);
        fixedUsernames = Set.copyOf(fixedUsernames);
        usernamePrefix = usernamePrefix == null ? "" : usernamePrefix;
    }

    /** A provider not offered to the CLI. */
    public OidcProvider(String name, String issuer, List<String> audiences, String usernameClaim, String groupsClaim,
                        String usernamePrefix, Set<String> fixedUsernames, Introspection introspection,
                        String caBundlePem, Duration recheckInterval) {
        this(name, issuer, audiences, usernameClaim, groupsClaim, usernamePrefix, fixedUsernames, introspection,
                caBundlePem, recheckInterval, null);
    }

    /** Client credentials for the introspection endpoint. */
    public record Introspection(String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Introspection[clientId=" + clientId + ", clientSecret=<redacted>]";
        }
    }
}
