package io.registryauth.realm.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategy;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.SubjectKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static users of the realm (htpasswd, bcrypt). bcrypt costs tens of milliseconds by design, so
 * recently verified credentials are remembered in a {@link CredentialCache}, and concurrent requests
 * with the same credentials (a CI fleet starting at once) share one verification. Blocks: call it off
 * the event loop; {@link #cost} tells the caller beforehand whether a check will run bcrypt.
 */
public final class HtpasswdAuthenticator implements Authenticator {
    public static final String NAME = "htpasswd";
    static final String INVALID = "invalid username or password";
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdAuthenticator.class);

    /**
     * bcrypt keys on at most 72 bytes; OpenBSD and htpasswd use the first 72 of a longer password. The
     * library appends the NUL terminator after this, which then falls beyond the 72 bytes used.
     */
    private static final LongPasswordStrategy FIRST_72_BYTES = password -> Arrays.copyOf(password, 72);
    private static final BCrypt.Verifyer BCRYPT = BCrypt.verifyer(null, FIRST_72_BYTES);
    /** A cost-10 hash of a random password nobody knows, as htpasswd -B writes by default. */
    private static final byte[] DECOY_HASH = BCrypt.withDefaults().hash(10, randomPassword());

    private final CredentialCache cache;
    private final BiPredicate<StaticUser, String> verifier;
    private final ConcurrentHashMap<Digest, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder bcryptRuns = new LongAdder();

    public HtpasswdAuthenticator() {
        this(new CredentialCache());
    }

    public HtpasswdAuthenticator(CredentialCache cache) {
        this(cache, HtpasswdAuthenticator::bcrypt);
    }

    /** With another password check: lets tests hold a verification open. */
    HtpasswdAuthenticator(CredentialCache cache, BiPredicate<StaticUser, String> verifier) {
        this.cache = cache;
        this.verifier = verifier;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A name that is a static user's is that user's alone, whatever the password looks like. */
    @Override
    public Claim claim(RealmConfig realm, Credentials credentials) {
        return realm.users().containsKey(credentials.username()) ? Claim.OWNS : Claim.NONE;
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        StaticUser user = realm.users().get(credentials.username());
        if (user == null) {
            return new AuthResult.Rejected(INVALID);
        }
        Digest key = cache.key(realm.service(), user.name(), credentials.password(), user.bcryptHash());
        if (cache.contains(key) || verifyOnce(key, user, credentials.password())) {
            return new AuthResult.Admitted(identity(user), SessionBinding.credential(fingerprint(user)));
        }
        return new AuthResult.Rejected(INVALID);
    }

    /**
     * HASH when the check would run bcrypt: a known user whose credentials are not in the cache. An
     * identical check already running counts as HASH too: waiting for it is waiting for bcrypt.
     */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        StaticUser user = realm.users().get(credentials.username());
        if (user == null) {
            return Cost.CHEAP;
        }
        Digest key = cache.key(realm.service(), user.name(), credentials.password(), user.bcryptHash());
        return cache.holds(key) ? Cost.CHEAP : Cost.HASH;
    }

    /** A lookup in the realm. */
    @Override
    public Cost recheckCost(RealmConfig realm, Session session) {
        return Cost.CHEAP;
    }

    /**
     * A session lasts while its user exists with the password hash it logged in with: a changed password
     * or a removed user ends it at once. Groups are the user's current ones.
     */
    @Override
    public AuthResult recheck(RealmConfig realm, Session session) {
        StaticUser user = realm.users().get(session.subject());
        if (user == null) {
            return new AuthResult.Rejected("user no longer exists; log in again");
        }
        if (session.binding().credential() == null
                || !MessageDigest.isEqual(session.binding().credential().getBytes(StandardCharsets.US_ASCII),
                        fingerprint(user).getBytes(StandardCharsets.US_ASCII))) {
            return new AuthResult.Rejected("the password changed; log in again");
        }
        return new AuthResult.Admitted(identity(user), session.binding());
    }

    /** The credential cache's counters, under the names they have always had. */
    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric("registry_auth_credential_cache_hits_total", "counter",
                        "Credentials verified from the cache.", () -> cache.stats().hits()),
                new Metric("registry_auth_credential_cache_misses_total", "counter",
                        "Credentials that needed a full hash check.", () -> cache.stats().misses()));
    }

    /** Cache counters for metrics. */
    public CredentialCache.Stats cacheStats() {
        return cache.stats();
    }

    private static String fingerprint(StaticUser user) {
        return RefreshTokens.fingerprint(user.bcryptHash());
    }

    /**
     * The work a wrong password for a known user costs (one bcrypt run at the usual cost), spent on a
     * credential no source owns, so the answer's timing does not tell whether a user exists.
     */
    static void spendLikeAPasswordCheck(String password) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        try {
            BCRYPT.verify(bytes, DECOY_HASH);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** How many password verifications ran: lets tests prove the cache spared them. */
    long bcryptRuns() {
        return bcryptRuns.sum();
    }

    /**
     * Runs the check unless an identical one (same key: same service, user, password and hash) is
     * already running, in which case its answer is shared. A success is remembered before it is
     * published, so callers arriving later hit the cache.
     */
    private boolean verifyOnce(Digest key, StaticUser user, String password) {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running.join();
        }
        try {
            bcryptRuns.increment();
            boolean verified = verifier.test(user, password);
            if (verified) {
                // The age counts from this verification; hits do not extend it.
                cache.remember(key);
            }
            mine.complete(verified);
            return verified;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private static boolean bcrypt(StaticUser user, String password) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        try {
            BCrypt.Result result = BCRYPT.verify(bytes, user.bcryptHash().getBytes(StandardCharsets.US_ASCII));
            if (!result.validFormat) {
                LOG.warn("user {} has a malformed bcrypt hash; rejecting", user.name());
            }
            return result.verified;
        } catch (IllegalArgumentException e) {
            LOG.warn("user {} has an unusable bcrypt hash; rejecting", user.name());
            return false;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static byte[] randomPassword() {
        byte[] password = new byte[24];
        new java.security.SecureRandom().nextBytes(password);
        return java.util.Base64.getEncoder().encode(password);
    }

    private static Identity identity(StaticUser user) {
        return new Identity(user.name(), user.groups(), NAME, SubjectKind.USER);
    }
}
