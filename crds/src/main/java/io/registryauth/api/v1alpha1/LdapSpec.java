package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One LDAP or Active Directory server set whose users log in with their directory password. Field for
 * field the realm's {@code LdapDirectory}, with Secret references where that record holds the material.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LdapSpec {
    public static final String URL_PATTERN = "^ldaps?://[^\\s/?#]+(:[0-9]{1,5})?/?$";

    @Required
    @Size(max = 63)
    @Pattern(OidcProviderSpec.NAME_PATTERN)
    @JsonPropertyDescription("Short name (a DNS label), unique within the list; identities carry ldap:<name>.")
    private String name;

    @Required
    @Size(min = 1, max = 8)
    @JsonPropertyDescription("Server URLs, ldap:// or ldaps://, tried in order: the next one serves when one is down.")
    private List<@Pattern(URL_PATTERN) String> urls = new ArrayList<>();

    @JsonPropertyDescription("Upgrade ldap:// connections with StartTLS.")
    private boolean startTLS;

    @JsonPropertyDescription("Secret key with PEM CA certificates to trust for TLS; unset = the default trust store.")
    private SecretKeyReference caBundleRef;

    @JsonPropertyDescription("DN the realm binds as to search; unset = anonymous searches.")
    private String bindDN;

    @JsonPropertyDescription("Secret key holding the bind DN's password.")
    private SecretKeyReference bindPasswordRef;

    @Required
    @JsonPropertyDescription("Where and how users are found.")
    private LdapUserSearchSpec userSearch;

    @JsonPropertyDescription("How a user's groups are found; unset = no groups.")
    private LdapGroupsSpec groups;

    @JsonPropertyDescription(
            "Prefixed to user and group names; unset = none (the directory's names are bare, and htpasswd users"
                    + " of the same name come first). With a prefix, users log in as <prefix><name>.")
    private String usernamePrefix;

    @Default("3s")
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Connect timeout, well below docker's own.")
    private String connectTimeout = "3s";

    @Default("5s")
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Timeout of one search or bind.")
    private String operationTimeout = "5s";

    @Default("5m")
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("How long a verified password is remembered (as a keyed hash).")
    private String cacheTTL = "5m";

    @Default("1m")
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("How long a user's groups are reused before the directory is asked again.")
    private String groupCacheTTL = "1m";

    /** Where users are: base DN, filter ({0} = the login name, escaped) and the attribute naming them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LdapUserSearchSpec {
        @Required
        @JsonPropertyDescription("Base DN of the user search.")
        private String baseDN;

        @Default("(uid={0})")
        @JsonPropertyDescription("Filter; {0} is replaced by the login name, escaped per RFC 4515. AD: (sAMAccountName={0}).")
        private String filter = "(uid={0})";

        @Default("uid")
        @JsonPropertyDescription("Attribute holding the login name. AD: sAMAccountName.")
        private String loginAttribute = "uid";

        public String getBaseDN() {
            return baseDN;
        }

        public void setBaseDN(String baseDN) {
            this.baseDN = baseDN;
        }

        public String getFilter() {
            return filter;
        }

        public void setFilter(String filter) {
            this.filter = filter;
        }

        public String getLoginAttribute() {
            return loginAttribute;
        }

        public void setLoginAttribute(String loginAttribute) {
            this.loginAttribute = loginAttribute;
        }
    }

    /** The user's memberOf-style attribute and/or a group search, nested groups to a depth. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LdapGroupsSpec {
        @JsonPropertyDescription("Attribute of the user entry holding group DNs, e.g. memberOf; each group's name is its DN's first value.")
        private String memberAttribute;

        @JsonPropertyDescription("Base DN of the group search; unset = no group search.")
        private String baseDN;

        @Default("(|(member={dn})(uniqueMember={dn}))")
        @JsonPropertyDescription("Group search filter; {dn} is the member's DN and {0} the login name, both escaped.")
        private String filter = "(|(member={dn})(uniqueMember={dn}))";

        @Default("cn")
        @JsonPropertyDescription("Attribute naming a group.")
        private String nameAttribute = "cn";

        @Min(0)
        @Max(10)
        @JsonPropertyDescription("Levels of groups within groups to follow (0 = none).")
        private int nestedDepth;

        @JsonPropertyDescription("Active Directory: resolve nested groups with the in-chain matching rule in one search.")
        private boolean activeDirectory;

        public String getMemberAttribute() {
            return memberAttribute;
        }

        public void setMemberAttribute(String memberAttribute) {
            this.memberAttribute = memberAttribute;
        }

        public String getBaseDN() {
            return baseDN;
        }

        public void setBaseDN(String baseDN) {
            this.baseDN = baseDN;
        }

        public String getFilter() {
            return filter;
        }

        public void setFilter(String filter) {
            this.filter = filter;
        }

        public String getNameAttribute() {
            return nameAttribute;
        }

        public void setNameAttribute(String nameAttribute) {
            this.nameAttribute = nameAttribute;
        }

        public int getNestedDepth() {
            return nestedDepth;
        }

        public void setNestedDepth(int nestedDepth) {
            this.nestedDepth = nestedDepth;
        }

        public boolean isActiveDirectory() {
            return activeDirectory;
        }

        public void setActiveDirectory(boolean activeDirectory) {
            this.activeDirectory = activeDirectory;
        }
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getUrls() {
        return urls;
    }

    public void setUrls(List<String> urls) {
        this.urls = urls == null ? new ArrayList<>() : urls;
    }

    public boolean isStartTLS() {
        return startTLS;
    }

    public void setStartTLS(boolean startTLS) {
        this.startTLS = startTLS;
    }

    public SecretKeyReference getCaBundleRef() {
        return caBundleRef;
    }

    public void setCaBundleRef(SecretKeyReference caBundleRef) {
        this.caBundleRef = caBundleRef;
    }

    public String getBindDN() {
        return bindDN;
    }

    public void setBindDN(String bindDN) {
        this.bindDN = bindDN;
    }

    public SecretKeyReference getBindPasswordRef() {
        return bindPasswordRef;
    }

    public void setBindPasswordRef(SecretKeyReference bindPasswordRef) {
        this.bindPasswordRef = bindPasswordRef;
    }

    public LdapUserSearchSpec getUserSearch() {
        return userSearch;
    }

    public void setUserSearch(LdapUserSearchSpec userSearch) {
        this.userSearch = userSearch;
    }

    public LdapGroupsSpec getGroups() {
        return groups;
    }

    public void setGroups(LdapGroupsSpec groups) {
        this.groups = groups;
    }

    public String getUsernamePrefix() {
        return usernamePrefix;
    }

    public void setUsernamePrefix(String usernamePrefix) {
        this.usernamePrefix = usernamePrefix;
    }

    public String getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(String connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public String getOperationTimeout() {
        return operationTimeout;
    }

    public void setOperationTimeout(String operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    public String getCacheTTL() {
        return cacheTTL;
    }

    public void setCacheTTL(String cacheTTL) {
        this.cacheTTL = cacheTTL;
    }

    public String getGroupCacheTTL() {
        return groupCacheTTL;
    }

    public void setGroupCacheTTL(String groupCacheTTL) {
        this.groupCacheTTL = groupCacheTTL;
    }

    /** A duration field by name, or its default; throws IllegalArgumentException naming the field when invalid. */
    public static Duration duration(String field, String text, String fallback) {
        try {
            return Durations.parse(text, Durations.parse(fallback));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }
}
