package io.registryauth.realm.auth.ldap;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Digest;
import io.registryauth.realm.auth.TrustBundles;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.RefreshTokens;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.SessionBinding;
import io.registryauth.realm.auth.UnverifiedJwt;
import io.registryauth.realm.policy.SubjectKind;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.net.SocketFactory;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users of LDAP and Active Directory servers ({@link LdapDirectories} in the realm).
 *
 * <p>Ownership: a user name carrying a directory's prefix is that directory's; a bare name (no ':') that no
 * earlier source owns (htpasswd users come first) is the first unprefixed directory's. The password is only
 * ever sent to that directory, in a bind as the user found by a search whose filter escapes the name (RFC
 * 4515); an empty password is refused without a bind (many servers answer an unauthenticated bind with
 * success). Groups come from the entry's memberOf-style attribute and/or a group search, nested groups
 * followed to a bounded depth (or, for Active Directory, with its in-chain matching rule).
 *
 * <p>Every directory is reached through a pool of connections per server set, failing over between its
 * URLs, with connect and operation timeouts; a directory that cannot be reached makes the login Unavailable.
 * Verified passwords are remembered under a keyed hash for {@code cacheMaxAge}, a user's groups for
 * {@code groupCacheMaxAge}: a cached login costs no directory call. Sessions are bound to the user's DN and
 * re-read from the directory (the user gone: the session ends) once the group cache has run out.
 */
public final class LdapAuthenticator implements Authenticator {
    public static final String NAME = "ldap";
    private static final String PREFIX = NAME + ":";
    private static final String INVALID = "invalid username or password";
    private static final int MAX_POOLS = 32;
    private static final int POOL_SIZE = 8;
    private static final Logger LOG = LoggerFactory.getLogger(LdapAuthenticator.class);

    /** The realm's LDAP directories, in the order their ownership of bare names is decided. */
    public record LdapDirectories(List<LdapDirectory> all) {
        public LdapDirectories {
            all = List.copyOf(all);
        }
    }

    private record User(String dn, String name) {
    }

    private record Verified(Identity identity, String dn, Instant at) {
    }

    private record Groups(Set<String> names, Instant at) {
    }

    private final Clock clock;
    /** Verified passwords are remembered under an HMAC with this per-process key: no password is kept. */
    private final ThreadLocal<Mac> macs;
    private final Map<Digest, Verified> verified;
    private final Map<String, Groups> groups;
    private final Map<String, LDAPConnectionPool> pools;
    private final LongAdder binds = new LongAdder();
    private final LongAdder searches = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();

    public LdapAuthenticator() {
        this(Clock.systemUTC());
    }

    public LdapAuthenticator(Clock clock) {
        this.clock = clock;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SecretKeySpec key = new SecretKeySpec(secret, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
            }
        });
        this.verified = lru(10_000);
        this.groups = lru(10_000);
        this.pools = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, LDAPConnectionPool> eldest) {
                if (size() > MAX_POOLS) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };
    }

    private static <K, V> Map<K, V> lru(int max) {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The source recorded in identities this directory admits. */
    public static String sourceName(LdapDirectory directory) {
        return PREFIX + directory.name();
    }

    /**
     * Never a JWT: a token no earlier source took (a service-account token where the realm does not take
     * them, another issuer's token) is no directory password, and must not be sent in a bind.
     */
    @Override
    public Claim claim(RealmConfig realm, Credentials credentials) {
        return owner(realm, credentials.username()).isPresent() && UnverifiedJwt.parse(credentials.password()).isEmpty()
                ? Claim.OWNS : Claim.NONE;
    }

    private static Optional<LdapDirectory> owner(RealmConfig realm, String username) {
        List<LdapDirectory> directories = realm.source(LdapDirectories.class).map(LdapDirectories::all).orElse(List.of());
        for (LdapDirectory directory : directories) {
            if (!directory.usernamePrefix().isEmpty() && username.startsWith(directory.usernamePrefix())
                    && username.length() > directory.usernamePrefix().length()) {
                return Optional.of(directory);
            }
        }
        if (username.indexOf(':') >= 0) {
            return Optional.empty();
        }
        return directories.stream().filter(d -> d.usernamePrefix().isEmpty()).findFirst();
    }

    /** The name the directory knows: the user name without the directory's prefix. */
    private static String login(LdapDirectory directory, String username) {
        return username.startsWith(directory.usernamePrefix()) ? username.substring(directory.usernamePrefix().length())
                : username;
    }

    /** CHEAP when the password was verified lately and the user's groups are fresh; otherwise REMOTE. */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        Optional<LdapDirectory> directory = owner(realm, credentials.username());
        if (directory.isEmpty() || credentials.password().isEmpty()) {
            return Cost.CHEAP;
        }
        Instant now = clock.instant();
        Verified hit = cached(realm, directory.get(), credentials, now);
        return hit != null && freshGroups(directory.get(), hit.dn(), now) != null ? Cost.CHEAP : Cost.REMOTE;
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        Optional<LdapDirectory> owner = owner(realm, credentials.username());
        if (owner.isEmpty() || credentials.password().isEmpty()) {
            // An empty password would be an unauthenticated bind, which many servers answer with success.
            return new AuthResult.Rejected(INVALID);
        }
        LdapDirectory directory = owner.get();
        Instant now = clock.instant();
        try {
            Verified hit = cached(realm, directory, credentials, now);
            if (hit != null) {
                cacheHits.increment();
                User user = new User(hit.dn(), nameOf(directory, hit.identity()));
                try {
                    return admitted(directory, hit.dn(), user, now);
                } catch (LDAPException e) {
                    // The password was verified lately: while the directory is away, the groups last read hold.
                    LOG.warn("directory {} unavailable; {} keeps the groups last read", directory.name(), user.name());
                    return new AuthResult.Admitted(hit.identity(), SessionBinding.credential(
                            RefreshTokens.fingerprint(sourceName(directory) + "\n" + hit.dn())));
                }
            }
            LDAPConnectionPool pool = pool(directory);
            Optional<User> user = findUser(pool, directory, login(directory, credentials.username()));
            if (user.isEmpty()) {
                return new AuthResult.Rejected(INVALID);
            }
            binds.increment();
            try {
                pool.bindAndRevertAuthentication(new SimpleBindRequest(user.get().dn(), credentials.password()));
            } catch (LDAPException e) {
                if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                    return new AuthResult.Rejected(INVALID);
                }
                throw e;
            }
            AuthResult.Admitted admitted = admitted(directory, pool, user.get(), now);
            synchronized (verified) {
                verified.put(key(realm, directory, credentials), new Verified(admitted.identity(), user.get().dn(), now));
            }
            return admitted;
        } catch (LDAPException e) {
            return unavailable(directory, e);
        }
    }

    private Verified cached(RealmConfig realm, LdapDirectory directory, Credentials credentials, Instant now) {
        synchronized (verified) {
            Verified hit = verified.get(key(realm, directory, credentials));
            return hit != null && now.isBefore(hit.at().plus(directory.cacheMaxAge())) ? hit : null;
        }
    }

    private Digest key(RealmConfig realm, LdapDirectory directory, Credentials credentials) {
        return Digest.mac(macs.get(), realm.service(), directory.settingsFingerprint(), credentials.username(),
                credentials.password());
    }

    private static String nameOf(LdapDirectory directory, Identity identity) {
        return identity.name().substring(directory.usernamePrefix().length());
    }

    /** With fresh groups from the cache, or read now. */
    private AuthResult.Admitted admitted(LdapDirectory directory, String dn, User user, Instant now)
            throws LDAPException {
        Groups fresh = freshGroups(directory, dn, now);
        if (fresh != null) {
            return admitted(directory, user, fresh.names());
        }
        return admitted(directory, pool(directory), user, now);
    }

    private AuthResult.Admitted admitted(LdapDirectory directory, LDAPConnectionPool pool, User user, Instant now)
            throws LDAPException {
        Set<String> names = groupsOf(pool, directory, user);
        synchronized (groups) {
            groups.put(groupKey(directory, user.dn()), new Groups(names, now));
        }
        return admitted(directory, user, names);
    }

    private static AuthResult.Admitted admitted(LdapDirectory directory, User user, Set<String> groupNames) {
        Set<String> prefixed = new LinkedHashSet<>();
        groupNames.forEach(g -> prefixed.add(directory.usernamePrefix() + g));
        Identity identity = new Identity(directory.usernamePrefix() + user.name(), prefixed, sourceName(directory),
                SubjectKind.USER);
        return new AuthResult.Admitted(identity,
                SessionBinding.credential(RefreshTokens.fingerprint(sourceName(directory) + "\n" + user.dn())));
    }

    private Groups freshGroups(LdapDirectory directory, String dn, Instant now) {
        synchronized (groups) {
            Groups cached = groups.get(groupKey(directory, dn));
            return cached != null && now.isBefore(cached.at().plus(directory.groupCacheMaxAge())) ? cached : null;
        }
    }

    private static String groupKey(LdapDirectory directory, String dn) {
        return directory.settingsFingerprint() + "\n" + dn;
    }

    /**
     * A session lasts while its directory is configured and the user's entry is still there; the groups are
     * read again (and the entry looked up) once the group cache has run out.
     */
    @Override
    public AuthResult recheck(RealmConfig realm, Session session) {
        Optional<LdapDirectory> directory = directory(realm, session);
        if (directory.isEmpty()) {
            return new AuthResult.Rejected("the directory of this session is no longer configured; log in again");
        }
        LdapDirectory d = directory.get();
        String login = login(d, session.subject());
        Instant now = clock.instant();
        try {
            LDAPConnectionPool pool = pool(d);
            Optional<User> user = findUser(pool, d, login);
            if (user.isEmpty() || !RefreshTokens.fingerprint(sourceName(d) + "\n" + user.get().dn())
                    .equals(session.binding().credential())) {
                return new AuthResult.Rejected("the user is no longer in the directory; log in again");
            }
            Groups fresh = freshGroups(d, user.get().dn(), now);
            AuthResult.Admitted admitted = fresh != null ? admitted(d, user.get(), fresh.names())
                    : admitted(d, pool, user.get(), now);
            return new AuthResult.Admitted(admitted.identity(), session.binding());
        } catch (LDAPException e) {
            return unavailable(d, e);
        }
    }

    /** Always asks the directory whether the user still exists: a session outlives no deletion by more than a login. */
    @Override
    public Cost recheckCost(RealmConfig realm, Session session) {
        return directory(realm, session).isPresent() ? Cost.REMOTE : Cost.CHEAP;
    }

    private static Optional<LdapDirectory> directory(RealmConfig realm, Session session) {
        String source = session.source();
        if (source == null || !source.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String name = source.substring(PREFIX.length());
        return realm.source(LdapDirectories.class).map(LdapDirectories::all).orElse(List.of()).stream()
                .filter(d -> d.name().equals(name)).findFirst();
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric("registry_auth_ldap_binds_total", "counter", "Password checks sent to a directory.",
                        binds::sum),
                new Metric("registry_auth_ldap_searches_total", "counter", "Searches sent to a directory.",
                        searches::sum),
                new Metric("registry_auth_ldap_cache_hits_total", "counter",
                        "Directory logins answered from the verified-password cache.", cacheHits::sum));
    }

    private Optional<User> findUser(LDAPConnectionPool pool, LdapDirectory directory, String login)
            throws LDAPException {
        Filter filter = Filter.create(directory.userFilter().replace("{0}", Filter.encodeValue(login)));
        SearchRequest request = new SearchRequest(directory.userBaseDn(), SearchScope.SUB, filter,
                directory.loginAttribute(), directory.groupAttribute() == null ? "1.1" : directory.groupAttribute());
        request.setSizeLimit(2);
        request.setTimeLimitSeconds(timeLimit(directory));
        searches.increment();
        SearchResult result;
        try {
            result = pool.search(request);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED || e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return Optional.empty();
            }
            throw e;
        }
        if (result.getEntryCount() != 1) {
            return Optional.empty();
        }
        SearchResultEntry entry = result.getSearchEntries().get(0);
        String name = entry.getAttributeValue(directory.loginAttribute());
        return Optional.of(new User(entry.getDN(), name == null ? login : name));
    }

    /**
     * The names of the user's groups: the memberOf-style attribute's DNs (their first RDN value) and what the
     * group search finds, with groups of those groups followed {@code nestedDepth} levels.
     */
    private Set<String> groupsOf(LDAPConnectionPool pool, LdapDirectory directory, User user) throws LDAPException {
        Set<String> names = new LinkedHashSet<>();
        Set<String> seenDns = new HashSet<>();
        ArrayDeque<String> level = new ArrayDeque<>();
        if (directory.groupAttribute() != null) {
            SearchResultEntry entry = pool.getEntry(user.dn(), directory.groupAttribute());
            searches.increment();
            if (entry != null && entry.getAttributeValues(directory.groupAttribute()) != null) {
                for (String dn : entry.getAttributeValues(directory.groupAttribute())) {
                    if (seenDns.add(new DN(dn).toNormalizedString())) {
                        names.add(firstRdnValue(dn));
                        level.add(dn);
                    }
                }
            }
        }
        if (directory.groupBaseDn() == null) {
            return names;
        }
        String memberFilter = directory.activeDirectory() && directory.nestedDepth() > 0
                ? "(member:1.2.840.113556.1.4.1941:={dn})" : directory.groupFilter();
        for (SearchResultEntry group : searchGroups(pool, directory, memberFilter, user.dn(), user.name())) {
            if (seenDns.add(group.getParsedDN().toNormalizedString())) {
                addNames(names, group, directory);
                level.add(group.getDN());
            }
        }
        if (directory.activeDirectory()) {
            return names;
        }
        for (int depth = 0; depth < directory.nestedDepth() && !level.isEmpty(); depth++) {
            ArrayDeque<String> next = new ArrayDeque<>();
            for (String groupDn : level) {
                for (SearchResultEntry parent : searchGroups(pool, directory, directory.groupFilter(), groupDn,
                        user.name())) {
                    if (seenDns.add(parent.getParsedDN().toNormalizedString())) {
                        addNames(names, parent, directory);
                        next.add(parent.getDN());
                    }
                }
            }
            level = next;
        }
        return names;
    }

    private List<SearchResultEntry> searchGroups(LDAPConnectionPool pool, LdapDirectory directory, String template,
                                                 String memberDn, String login) throws LDAPException {
        Filter filter = Filter.create(template.replace("{dn}", Filter.encodeValue(memberDn))
                .replace("{0}", Filter.encodeValue(login)));
        SearchRequest request = new SearchRequest(directory.groupBaseDn(), SearchScope.SUB, filter,
                directory.groupNameAttribute());
        request.setTimeLimitSeconds(timeLimit(directory));
        searches.increment();
        return pool.search(request).getSearchEntries();
    }

    private static void addNames(Set<String> names, SearchResultEntry group, LdapDirectory directory) {
        String[] values = group.getAttributeValues(directory.groupNameAttribute());
        if (values != null && values.length > 0) {
            names.add(values[0]);
        }
    }

    private static String firstRdnValue(String dn) throws LDAPException {
        String[] values = new DN(dn).getRDN().getAttributeValues();
        return values.length == 0 ? dn : values[0];
    }

    private static int timeLimit(LdapDirectory directory) {
        return (int) Math.max(1, directory.operationTimeout().toSeconds());
    }

    private AuthResult unavailable(LdapDirectory directory, LDAPException e) {
        // The message names the server and the result, never the password or the filter's value.
        LOG.warn("directory {} unavailable: {}", directory.name(), e.getResultCode());
        return new AuthResult.Unavailable("the directory " + directory.name() + " cannot be reached ("
                + e.getResultCode().getName() + ")");
    }

    /**
     * What keeps a directory from serving right now, checked by connecting to each URL and binding as the
     * realm's bind DN: unreachable servers, TLS failures, a refused bind. Words for a person, never the bind
     * password; empty when every server answers.
     */
    public static List<String> check(LdapDirectory directory) {
        List<String> problems = new java.util.ArrayList<>();
        for (String url : directory.urls()) {
            try {
                LDAPURL parsed = new LDAPURL(url);
                boolean ldaps = "ldaps".equalsIgnoreCase(parsed.getScheme());
                LDAPConnectionOptions options = new LDAPConnectionOptions();
                options.setConnectTimeoutMillis((int) directory.connectTimeout().toMillis());
                options.setResponseTimeoutMillis(directory.operationTimeout().toMillis());
                SSLContext tls = directory.caBundlePem() == null ? defaultTls()
                        : TrustBundles.trusting(directory.caBundlePem());
                try (com.unboundid.ldap.sdk.LDAPConnection connection = new com.unboundid.ldap.sdk.LDAPConnection(
                        ldaps ? tls.getSocketFactory() : SocketFactory.getDefault(), options, parsed.getHost(),
                        parsed.getPort())) {
                    if (directory.startTls() && !ldaps) {
                        new StartTLSPostConnectProcessor(tls).processPreAuthenticatedConnection(connection);
                    }
                    if (directory.bindDn() != null) {
                        connection.bind(directory.bindDn(), directory.bindPassword());
                    }
                }
            } catch (LDAPException e) {
                problems.add(url + ": " + (e.getResultCode() == ResultCode.INVALID_CREDENTIALS
                        ? "the bind as " + directory.bindDn() + " was refused (check bindPasswordRef)"
                        : "cannot be used (" + e.getResultCode().getName() + ")"));
            }
        }
        return problems;
    }

    private static SSLContext defaultTls() throws LDAPException {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new LDAPException(ResultCode.LOCAL_ERROR, "no default TLS context", e);
        }
    }

    /** The pool of one server set, opened on first use: connections are reused, never one per request. */
    private LDAPConnectionPool pool(LdapDirectory directory) throws LDAPException {
        String key = directory.connectionFingerprint();
        synchronized (pools) {
            LDAPConnectionPool pool = pools.get(key);
            if (pool == null || pool.isClosed()) {
                pool = newPool(directory);
                pools.put(key, pool);
            }
            return pool;
        }
    }

    private static LDAPConnectionPool newPool(LdapDirectory directory) throws LDAPException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) directory.connectTimeout().toMillis());
        options.setResponseTimeoutMillis(directory.operationTimeout().toMillis());
        options.setUseSynchronousMode(false);
        int n = directory.urls().size();
        String[] hosts = new String[n];
        int[] ports = new int[n];
        boolean ldaps = false;
        for (int i = 0; i < n; i++) {
            LDAPURL url = new LDAPURL(directory.urls().get(i));
            hosts[i] = url.getHost();
            ports[i] = url.getPort();
            ldaps |= "ldaps".equalsIgnoreCase(url.getScheme());
        }
        SSLContext tls = directory.caBundlePem() == null ? defaultTls() : TrustBundles.trusting(directory.caBundlePem());
        SocketFactory sockets = ldaps ? tls.getSocketFactory() : SocketFactory.getDefault();
        PostConnectProcessor startTls = directory.startTls() && !ldaps ? new StartTLSPostConnectProcessor(tls) : null;
        BindRequest bind = directory.bindDn() == null ? null
                : new SimpleBindRequest(directory.bindDn(), directory.bindPassword());
        FailoverServerSet servers = new FailoverServerSet(hosts, ports, sockets, options, null, startTls);
        LDAPConnectionPool pool = new LDAPConnectionPool(servers, bind, 1, POOL_SIZE, null, false);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        pool.setMaxWaitTimeMillis(directory.operationTimeout().toMillis());
        return pool;
    }
}
