package io.registryauth.realm.auth.oidc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One OAuth2/OIDC identity provider whose access tokens a realm accepts as the docker password.
 *
 * @param name            short name; its identities' source is {@code oidc:<name>}
 * @param issuer          issuer URL; discovery at {@code <issuer>/.well-known/openid-configuration}
 * @param audiences       audiences the access token must name (any one); empty = the realm's service
 * @param usernameClaim   claim holding the user name (e.g. preferred_username)
 * @param groupsClaim     string or array claim with groups, dotted paths allowed (realm_access.roles); null = none
 * @param usernamePrefix  prefixed to user and group names, so this provider's "alice" and "admins" are
 *                        never another source's; null = {@code <name>:}, "" = none (the names then meet
 *                        other sources' names, and grants should name the source)
 * @param fixedUsernames  docker usernames accepted instead of the token's own (e.g. oauth2accesstoken)
 * @param introspection   client credentials for RFC 7662 introspection; null = local JWT validation only
 * @param caBundlePem     PEM certificates to trust for this provider; null = the JVM's trust store
 * @param recheckInterval how often a session re-asks an introspection-backed provider; null = 5 minutes
 * @param sessionMaxAge   how long a session started with this provider's token lasts once the provider can
 *                        no longer be asked about it; null = 12 hours, zero = it ends with the provider's token
 * @param cli             the public client offered to {@code registry-auth login}; null = not offered
 */
public record OidcProvider(String name, String issuer, List<String> audiences, String usernameClaim,
                           String groupsClaim, String usernamePrefix, Set<String> fixedUsernames,
                           Introspection introspection, String caBundlePem, Duration recheckInterval,
                           Duration sessionMaxAge, CliClient cli) {
    public static final Duration DEFAULT_SESSION_MAX_AGE = Duration.ofHours(12);
    public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofMinutes(5);

    public OidcProvider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(usernameClaim, "usernameClaim");
        audiences = List.copyOf(audiences);
        fixedUsernames = Set.copyOf(fixedUsernames);
        usernamePrefix = usernamePrefix == null ? defaultPrefix(name) : usernamePrefix;
        recheckInterval = recheckInterval == null ? DEFAULT_RECHECK_INTERVAL : recheckInterval;
        sessionMaxAge = sessionMaxAge == null ? DEFAULT_SESSION_MAX_AGE : sessionMaxAge;
        if (sessionMaxAge.isNegative() || recheckInterval.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** A provider with the default session length. */
    public OidcProvider(String name, String issuer, List<String> audiences, String usernameClaim, String groupsClaim,
                        String usernamePrefix, Set<String> fixedUsernames, Introspection introspection,
                        String caBundlePem, Duration recheckInterval) {
        this(name, issuer, audiences, usernameClaim, groupsClaim, usernamePrefix, fixedUsernames, introspection,
                caBundlePem, recheckInterval, null, null);
    }

    /** The prefix of a provider that sets none: its name and a colon, which no htpasswd user name contains. */
    public static String defaultPrefix(String name) {
        return name + ":";
    }

    /** A provider not offered to the CLI. */
    public OidcProvider(String name, String issuer, List<String> audiences, String usernameClaim, String groupsClaim,
                        String usernamePrefix, Set<String> fixedUsernames, Introspection introspection,
                        String caBundlePem, Duration recheckInterval, Duration sessionMaxAge) {
        this(name, issuer, audiences, usernameClaim, groupsClaim, usernamePrefix, fixedUsernames, introspection,
                caBundlePem, recheckInterval, sessionMaxAge, null);
    }

    /** Client credentials for the introspection endpoint. */
    public record Introspection(String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Introspection[clientId=" + clientId + ", clientSecret=<redacted>]";
        }
    }
}
