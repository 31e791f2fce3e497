package io.registryauth.operator.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.SessionBinding;
import io.registryauth.realm.policy.SubjectKind;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods log in with their service-account token as the password. The token is only read, unverified,
 * to see whether it is one (a JWT whose {@code sub} is {@code system:serviceaccount:<ns>:<name>}); the
 * API server decides with a TokenReview bound to the realm's audiences, and the answer must name one of
 * them. Legacy Secret-based tokens (no {@code exp}, or the {@code kubernetes.io/serviceaccount/...}
 * claim form) never expire and are refused unless the realm allows them; when allowed, they are reviewed
 * without audiences, as the API server only accepts them for its own.
 *
 * <p>User name: anything (docker insists on one), or {@code system:serviceaccount:<ns>:<name>}, which
 * must then name the token's service account. Basic auth splits that form at its first ':', so a user
 * "system" with a password starting "serviceaccount:" is joined back together.
 *
 * <p>Positive answers are cached by a hash of the token, bounded, for at most {@link Settings#cacheTtl}
 * and never past the token's {@code exp}. API calls run without retries under a hard deadline: an API
 * server that does not answer in time makes the request Unavailable (503), not a wrong 401.
 */
public final class ServiceAccountAuthenticator implements Authenticator {
    public static final String NAME = "serviceaccount";
    static final String USER_PREFIX = "system:serviceaccount:";
    private static final String LEGACY_ISSUER = "kubernetes/serviceaccount";
    private static final String LEGACY_SECRET_CLAIM = "kubernetes.io/serviceaccount/secret.name";
    private static final int MAX_CALLS_IN_FLIGHT = 32;
    private static final Logger LOG = LoggerFactory.getLogger(ServiceAccountAuthenticator.class);

    /**
     * @param requestTimeout deadline of one API call (TokenReview or ServiceAccount read)
     * @param cacheTtl       how long a positive review is reused at most
     * @param cacheEntries   how many reviews are remembered
     * @param clock          decides token and cache expiry
     */
    public record Settings(Duration requestTimeout, Duration cacheTtl, int cacheEntries, Clock clock) {
        public Settings {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(cacheTtl, "cacheTtl");
            Objects.requireNonNull(clock, "clock");
        }

        /** 5 s per call; reviews reused for a minute (a deleted service account is let in that long at most). */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofMinutes(1), 10_000, Clock.systemUTC());
        }

        public Settings withRequestTimeout(Duration value) {
            return new Settings(value, cacheTtl, cacheEntries, clock);
        }

        public Settings withCacheTtl(Duration value) {
            return new Settings(requestTimeout, value, cacheEntries, clock);
        }

        public Settings withClock(Clock value) {
            return new Settings(requestTimeout, cacheTtl, cacheEntries, value);
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final ReviewCache cache;
    private final ThreadPoolExecutor calls;

    /**
     * @param client a client allowed to create tokenreviews and read serviceaccounts; a realm lets service
     *               accounts in where it holds a {@link ServiceAccountLogin}
     */
    public ServiceAccountAuthenticator(KubernetesClient client, Settings settings) {
        // One try per call and the request timeout of the settings: a login must not wait out retries.
        RequestConfig requests = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestTimeout(Math.toIntExact(settings.requestTimeout().toMillis()))
                .withRequestRetryBackoffLimit(0)
                .build();
        this.client = client.newClient(requests).adapt(KubernetesClient.class);
        this.settings = settings;
        this.cache = new ReviewCache(settings.cacheEntries());
        // The deadline also covers connecting, which the request timeout does not.
        this.calls = new ThreadPoolExecutor(0, MAX_CALLS_IN_FLIGHT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "serviceaccount-review");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A service-account token is this source's alone where the realm lets service accounts in. */
    @Override
    public Claim claim(RealmConfig realm, Credentials credentials) {
        return logins(realm).isPresent() && serviceAccountClaims(split(credentials).token()) != null
                ? Claim.OWNS : Claim.NONE;
    }

    private static Optional<ServiceAccountLogin> logins(RealmConfig realm) {
        return realm.source(ServiceAccountLogin.class);
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        Attempt attempt = attempt(realm, credentials);
        if (attempt instanceof Attempt.Decided decided) {
            return decided.result();
        }
        Attempt.Review review = (Attempt.Review) attempt;
        ReviewCache.Entry reviewed = cache.get(review.cacheKey(), review.now());
        if (reviewed == null) {
            try {
                reviewed = review(review.token(), review.audiences(), review.now(), review.exp());
            } catch (ApiUnavailable e) {
                return new AuthResult.Unavailable(e.getMessage());
            }
            if (reviewed == null) {
                return new AuthResult.Rejected(review.legacy() ? "service-account token was not accepted"
                        : "service-account token was not accepted for audience "
                        + String.join(" or ", review.audiences()));
            }
            cache.put(review.cacheKey(), reviewed);
        }
        if (review.username().startsWith(USER_PREFIX)
                && !review.username().equals(USER_PREFIX + reviewed.serviceAccount())) {
            return new AuthResult.Rejected("the user name names another service account than the token");
        }
        // The session ends with the token it started with, and at once when the account is recreated.
        return new AuthResult.Admitted(identity(reviewed.serviceAccount(), reviewed.groups()),
                new SessionBinding(reviewed.uid(), null, null, review.exp()));
    }

    /** Remote only when a TokenReview would be sent: not for other passwords, refusals or cached reviews. */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        return attempt(realm, credentials) instanceof Attempt.Review review
                && cache.get(review.cacheKey(), review.now()) == null ? Cost.REMOTE : Cost.CHEAP;
    }

    /** Reads the service account from the API server, unless the realm no longer lets service accounts in. */
    @Override
    public Cost recheckCost(RealmConfig realm, Session session) {
        return logins(realm).isPresent() && session.kind() == SubjectKind.SERVICE_ACCOUNT ? Cost.REMOTE : Cost.CHEAP;
    }

    /** What can be decided about a login without the API server, or the review it needs. */
    private sealed interface Attempt {
        record Decided(AuthResult result) implements Attempt {
        }

        record Review(String username, String token, List<String> audiences, boolean legacy, Instant exp,
                      Instant now, String cacheKey) implements Attempt {
            @Override
            public String toString() {
                return "Review[username=" + username + ", audiences=" + audiences + "]";
            }
        }
    }

    /** The user name and token as typed, with a "system:serviceaccount:..." name that Basic auth split rejoined. */
    private record Typed(String username, String token) {
        @Override
        public String toString() {
            return "Typed[username=" + username + "]";
        }
    }

    private static Typed split(Credentials credentials) {
        String username = credentials.username();
        String token = credentials.password();
        if ("system".equals(username) && token.startsWith("serviceaccount:")) {
            // A JWT has no ':', so the last one ends the user name.
            int last = token.lastIndexOf(':');
            return new Typed("system:" + token.substring(0, last), token.substring(last + 1));
        }
        return new Typed(username, token);
    }

    private Attempt attempt(RealmConfig realm, Credentials credentials) {
        Optional<ServiceAccountLogin> login = logins(realm);
        Typed typed = split(credentials);
        JWTClaimsSet claims = login.isEmpty() ? null : serviceAccountClaims(typed.token());
        if (claims == null) {
            return new Attempt.Decided(new AuthResult.Rejected("not a service-account token"));
        }
        String username = typed.username();
        String token = typed.token();
        Instant now = settings.clock().instant();
        Instant exp = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
        boolean legacy = isLegacy(claims);
        if (legacy && !login.get().allowLegacyTokens()) {
            return new Attempt.Decided(new AuthResult.Rejected("legacy service-account tokens are not accepted; use a "
                    + "projected token with audience " + String.join(" or ", login.get().audiencesFor(realm.service()))));
        }
        if (exp != null && !now.isBefore(exp)) {
            return new Attempt.Decided(new AuthResult.Rejected("service-account token has expired"));
        }
        // Legacy tokens carry no audience: the API server accepts them only when asked for none (its own).
        List<String> audiences = legacy ? List.of() : login.get().audiencesFor(realm.service());
        return new Attempt.Review(username, token, audiences, legacy, exp, now,
                ReviewCache.key(realm.service(), audiences, token));
    }

    /**
     * A session of a service account lasts while the account exists with the uid it logged in with (a deleted
     * and recreated account is another account) and no longer than the token it logged in with; its groups
     * are the ones the API server gives every service account.
     */
    @Override
    public AuthResult recheck(RealmConfig realm, Session session) {
        if (logins(realm).isEmpty()) {
            return new AuthResult.Rejected("service-account login is disabled");
        }
        String[] namespaceAndName = session.kind() == SubjectKind.SERVICE_ACCOUNT ? split(session.subject()) : null;
        if (namespaceAndName == null) {
            return new AuthResult.Rejected("not a service account");
        }
        String loggedInUid = session.binding().credential();
        try {
            String uid = call("read serviceaccounts", () -> {
                ServiceAccount account = client.serviceAccounts().inNamespace(namespaceAndName[0])
                        .withName(namespaceAndName[1]).get();
                return account == null || account.getMetadata() == null ? null : account.getMetadata().getUid();
            });
            if (uid == null) {
                return new AuthResult.Rejected("service account no longer exists");
            }
            if (loggedInUid == null || !loggedInUid.equals(uid)) {
                return new AuthResult.Rejected("service account was recreated; log in with a new token");
            }
        } catch (ApiUnavailable e) {
            return new AuthResult.Unavailable(e.getMessage());
        }
        String namespace = namespaceAndName[0];
        return new AuthResult.Admitted(identity(session.subject(), List.of("system:serviceaccounts",
                "system:serviceaccounts:" + namespace, "system:authenticated")), session.binding());
    }

    /** Reviews currently cached; for tests. */
    int cachedReviews() {
        return cache.size();
    }

    /** The API server's verdict: the reviewed service account, or null when the token is not accepted. */
    private ReviewCache.Entry review(String token, List<String> audiences, Instant now, Instant exp)
            throws ApiUnavailable {
        TokenReview request = new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(audiences.isEmpty() ? null : audiences).endSpec()
                .build();
        TokenReview answer = call("create tokenreviews",
                () -> client.authentication().v1().tokenReviews().create(request));
        TokenReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
            return null;
        }
        // The answer's audiences are those the token and the request share; none means not for us.
        if (!audiences.isEmpty() && (status.getAudiences() == null
                || status.getAudiences().stream().noneMatch(audiences::contains))) {
            return null;
        }
        UserInfo user = status.getUser();
        String username = user == null ? null : user.getUsername();
        if (username == null || !username.startsWith(USER_PREFIX)
                || split(username.substring(USER_PREFIX.length())) == null) {
            return null;
        }
        Instant expires = now.plus(settings.cacheTtl());
        if (exp != null && exp.isBefore(expires)) {
            expires = exp;
        }
        List<String> groups = user.getGroups() == null ? List.of() : List.copyOf(user.getGroups());
        return new ReviewCache.Entry(username.substring(USER_PREFIX.length()), user.getUid(), groups, expires);
    }

    /** Runs one API call under the deadline; every way it can fail becomes a reason safe to show. */
    private <T> T call(String verb, Callable<T> request) throws ApiUnavailable {
        Future<T> future;
        try {
            future = calls.submit(request);
        } catch (RejectedExecutionException e) {
            throw new ApiUnavailable("too many Kubernetes API calls in flight; retry later");
        }
        long millis = settings.requestTimeout().toMillis();
        try {
            return future.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.warn("Kubernetes API server did not answer within {} ms ({})", millis, verb);
            throw new ApiUnavailable("the Kubernetes API server did not answer in time");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ApiUnavailable("interrupted while waiting for the Kubernetes API server");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // Fabric8 reports "no HTTP answer at all" as a code of 0 or below.
            int code = cause instanceof KubernetesClientException k ? k.getCode() : 0;
            String reason = code <= 0 ? "could not reach the Kubernetes API server"
                    : code == 401 || code == 403 ? "the operator may not " + verb + " (check its RBAC)"
                    : "the Kubernetes API server answered HTTP " + code;
            // Fabric8 messages name the request, never its body: safe to log, and the token stays out.
            LOG.warn("{} ({}): {}", reason, verb, rootCause(e));
            throw new ApiUnavailable(reason);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    /** The unverified claims of a token that looks like a service account's; null for anything else. */
    private static JWTClaimsSet serviceAccountClaims(String token) {
        if (token.isEmpty() || token.chars().filter(c -> c == '.').count() != 2) {
            return null;
        }
        try {
            JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
            String subject = claims.getSubject();
            return subject != null && subject.startsWith(USER_PREFIX)
                    && split(subject.substring(USER_PREFIX.length())) != null ? claims : null;
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isLegacy(JWTClaimsSet claims) {
        return claims.getExpirationTime() == null || LEGACY_ISSUER.equals(claims.getIssuer())
                || claims.getClaims().containsKey(LEGACY_SECRET_CLAIM);
    }

    /** "namespace:name" into its two parts, or null when it is not exactly that. */
    private static String[] split(String namespaceAndName) {
        int colon = namespaceAndName.indexOf(':');
        if (colon <= 0 || colon == namespaceAndName.length() - 1 || namespaceAndName.indexOf(':', colon + 1) >= 0) {
            return null;
        }
        return new String[] {namespaceAndName.substring(0, colon), namespaceAndName.substring(colon + 1)};
    }

    private static Identity identity(String serviceAccount, List<String> groups) {
        return new Identity(serviceAccount, Set.copyOf(groups), NAME, SubjectKind.SERVICE_ACCOUNT);
    }

    /** The API server could not be asked; the message is safe to show to the client. */
    private static final class ApiUnavailable extends Exception {
        ApiUnavailable(String message) {
            super(message, null, false, false);
        }
    }
}
