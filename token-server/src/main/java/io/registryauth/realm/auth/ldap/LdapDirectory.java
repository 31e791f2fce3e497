package io.registryauth.realm.auth.ldap;

import io.registryauth.realm.auth.RefreshTokens;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One LDAP or Active Directory server set whose users the realm accepts.
 *
 * @param name             short name; its identities' source is {@code ldap:<name>}
 * @param urls             {@code ldap://} or {@code ldaps://} URLs, tried in order (failover)
 * @param startTls         upgrade {@code ldap://} connections with StartTLS
 * @param caBundlePem      PEM certificates to trust for TLS; null = the JVM's trust store
 * @param bindDn           the realm's own bind DN for searches; null = search anonymously
 * @param bindPassword     its password
 * @param userBaseDn       where users are searched
 * @param userFilter       the user search filter; {@code {0}} is the login name, escaped per RFC 4515
 * @param loginAttribute   the user entry's attribute holding the login name (the identity's name)
 * @param groupAttribute   attribute of the user entry holding group DNs (memberOf); null = none
 * @param groupBaseDn      where groups are searched; null = no group search
 * @param groupFilter      the group search filter; {@code {dn}} is the member's DN, {@code {0}} the login
 *                         name, both escaped
 * @param groupNameAttribute attribute naming a group (cn)
 * @param nestedDepth      how many levels of groups within groups are followed (0 = none)
 * @param activeDirectory  resolve nested groups with Active Directory's in-chain matching rule
 * @param usernamePrefix   prefixed to user and group names; "" = none (a directory's names are bare)
 * @param connectTimeout   to open a connection
 * @param operationTimeout for one search or bind
 * @param cacheMaxAge      how long a verified password is remembered (a keyed hash, never the password)
 * @param groupCacheMaxAge how long a user's groups are reused before the directory is asked again
 */
public record LdapDirectory(String name, List<String> urls, boolean startTls, String caBundlePem, String bindDn,
                            String bindPassword, String userBaseDn, String userFilter, String loginAttribute,
                            String groupAttribute,
                            String groupBaseDn, String groupFilter, String groupNameAttribute, int nestedDepth,
                            boolean activeDirectory, String usernamePrefix, Duration connectTimeout,
                            Duration operationTimeout, Duration cacheMaxAge, Duration groupCacheMaxAge) {
    public static final String DEFAULT_USER_FILTER = "(uid={0})";
    public static final String DEFAULT_LOGIN_ATTRIBUTE = "uid";
    public static final String DEFAULT_GROUP_FILTER = "(|(member={dn})(uniqueMember={dn}))";
    public static final String DEFAULT_GROUP_NAME_ATTRIBUTE = "cn";
    /** Directories nest deeper than this only by mistake (a loop); the search stops there. */
    public static final int MAX_NESTED_DEPTH = 10;

    public LdapDirectory {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(userBaseDn, "userBaseDn");
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("an LDAP directory needs at least one URL");
        }
        userFilter = userFilter == null || userFilter.isBlank() ? DEFAULT_USER_FILTER : userFilter;
        loginAttribute = loginAttribute == null || loginAttribute.isBlank() ? DEFAULT_LOGIN_ATTRIBUTE : loginAttribute;
        groupFilter = groupFilter == null || groupFilter.isBlank() ? DEFAULT_GROUP_FILTER : groupFilter;
        groupNameAttribute = groupNameAttribute == null || groupNameAttribute.isBlank()
                ? DEFAULT_GROUP_NAME_ATTRIBUTE : groupNameAttribute;
        usernamePrefix = usernamePrefix == null ? "" : usernamePrefix;
        nestedDepth = Math.max(0, Math.min(nestedDepth, MAX_NESTED_DEPTH));
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(3) : connectTimeout;
        operationTimeout = operationTimeout == null ? Duration.ofSeconds(5) : operationTimeout;
        cacheMaxAge = cacheMaxAge == null ? Duration.ofMinutes(5) : cacheMaxAge;
        groupCacheMaxAge = groupCacheMaxAge == null ? Duration.ofMinutes(1) : groupCacheMaxAge;
    }

    /** What decides how the directory is reached; a change opens new connections. */
    String connectionFingerprint() {
        return String.join("\n", String.join(",", urls), Boolean.toString(startTls),
                caBundlePem == null ? "" : caBundlePem, bindDn == null ? "" : bindDn,
                bindPassword == null ? "" : bindPassword, connectTimeout.toString(), operationTimeout.toString());
    }

    /**
     * A short digest of everything that decides a login's verdict and groups; cached answers are kept under
     * it, so a changed setting never answers from an old cache (and no key holds a password or a CA bundle).
     */
    String settingsFingerprint() {
        return RefreshTokens.fingerprint(String.join("\n", name, connectionFingerprint(), userBaseDn, userFilter,
                loginAttribute, String.valueOf(groupAttribute), String.valueOf(groupBaseDn), groupFilter,
                groupNameAttribute, Integer.toString(nestedDepth), Boolean.toString(activeDirectory), usernamePrefix));
    }

    @Override
    public String toString() {
        return "LdapDirectory[name=" + name + ", urls=" + urls + ", bindDn=" + bindDn + ", bindPassword="
                + (bindPassword == null ? "none" : "<redacted>") + "]";
    }
}
