package io.registryauth.realm.http;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmException;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Authenticator.Cost;
import io.registryauth.realm.auth.BasicAuth;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.FailureThrottle;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.RefreshTokens;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.scope.ScopeParser;
import io.registryauth.realm.sign.AccessTokenIssuer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realm's HTTP face: {@code GET/POST /token}, {@code /jwks.json}, {@code /healthz}, {@code /readyz} and
 * {@code /metrics}. Each request reads the realm snapshot once and uses it to the end; password checks and
 * signing run on worker threads so the event loop only parses and writes, and bcrypt runs and provider
 * calls on lanes of their own so they never hold up requests that can be answered cheaply.
 */
public final class TokenServer {
    private static final Logger LOG = LoggerFactory.getLogger(TokenServer.class);
    private static final String JSON = "application/json";
    private static final RealmException TOO_LARGE = new RealmException(413, "SIZE_INVALID", "request body too large");
    private static final long HEALTH_TIMEOUT_MILLIS = 2_000;

    private final Vertx vertx;
    private final RealmState state;
    private final Options options;
    private final WorkLane hashLane;
    private final WorkLane remoteLane;
    private final TokenMetrics metrics;
    private final TokenFlow flow;

    private TokenServer(Vertx vertx, RealmState state, Options options) {
        this.vertx = vertx;
        this.state = state;
        this.options = options;
        Workers workers = options.workers();
        this.hashLane = new WorkLane(vertx, "hash", workers.hashThreads(), workers.hashQueue());
        this.remoteLane = new WorkLane(vertx, "remote", workers.remoteThreads(), workers.remoteQueue());
        this.metrics = new TokenMetrics(options.metrics(),
                options.authenticators().stream().flatMap(a -> a.metrics().stream()).toList(),
                List.of(hashLane, remoteLane));
        this.flow = new TokenFlow(options.authenticators(), options.throttle(), options.issuer(), metrics);
    }

    /** Size limits; requests over them are refused with a 4xx before any work is done. */
    public record Limits(int maxInitialLineLength, int maxHeaderSize, int maxBodySize) {
        public static final Limits DEFAULT = new Limits(8192, 8192, 16384);
    }

    /**
     * Worker lanes for the checks that must not hold up cheap requests: password hashes (bcrypt: CPU, so
     * one thread per core) and calls to identity providers or API servers (waiting on the network, so
     * more threads). A request that finds its lane's threads busy and its queue full is answered at once
     * with a 503 and Retry-After. Cheap work (cached verdicts, robots, anonymous, refresh) runs on
     * Vert.x's shared worker pool.
     */
    public record Workers(int hashThreads, int hashQueue, int remoteThreads, int remoteQueue) {
        public Workers {
            if (hashThreads < 1 || remoteThreads < 1 || hashQueue < 0 || remoteQueue < 0) {
                throw new IllegalArgumentException("a lane needs a thread and a queue of zero or more");
            }
        }

        /**
         * One hash thread per core with 16 waiting each (about a second of bcrypt at cost 10); 32 remote
         * threads with 64 waiting (ten seconds of calls that run into the 5 s request timeout).
         */
        public static Workers defaults() {
            int cores = Runtime.getRuntime().availableProcessors();
            return new Workers(cores, 16 * cores, 32, 64);
        }
    }

    /**
     * How the server behaves: the authenticator chain (asked in order), the clock tokens are stamped
     * with, the failure throttle, the token issuer, size limits, where audit lines go, the proxies
     * whose {@code X-Forwarded-For} names the client (throttle key and audit "client"), the worker
     * lanes of costly checks, and the metrics registry its series are kept in and {@code /metrics} serves.
     */
    public record Options(List<Authenticator> authenticators, Clock clock, FailureThrottle throttle,
                          AccessTokenIssuer issuer, Limits limits, Consumer<String> audit,
                          TrustedProxies trustedProxies, Workers workers, PrometheusMeterRegistry metrics) {
        private static final Logger AUDIT = LoggerFactory.getLogger("io.registryauth.audit");

        public Options {
            authenticators = List.copyOf(authenticators);
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(throttle, "throttle");
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(audit, "audit");
            Objects.requireNonNull(trustedProxies, "trustedProxies");
            Objects.requireNonNull(workers, "workers");
            Objects.requireNonNull(metrics, "metrics");
        }

        /**
         * Robots then htpasswd users (robots first: their check is a hash, not bcrypt), the system clock,
         * default limits, audit lines on {@code io.registryauth.audit}, no trusted proxy (the client is
         * the TCP peer), {@link Workers#defaults()}, a registry of its own.
         */
        public static Options defaults() {
            return new Options(List.of(new RobotAuthenticator(), new HtpasswdAuthenticator()), Clock.systemUTC(),
                    new FailureThrottle(), new AccessTokenIssuer(), Limits.DEFAULT, AUDIT::info,
                    TrustedProxies.NONE, Workers.defaults(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        }

        public Options withAuthenticators(List<Authenticator> chain) {
            return new Options(chain, clock, throttle, issuer, limits, audit, trustedProxies, workers, metrics);
        }

        public Options withClock(Clock value) {
            return new Options(authenticators, value, throttle, issuer, limits, audit, trustedProxies, workers, metrics);
        }

        public Options withThrottle(FailureThrottle value) {
            return new Options(authenticators, clock, value, issuer, limits, audit, trustedProxies, workers, metrics);
        }

        public Options withIssuer(AccessTokenIssuer value) {
            return new Options(authenticators, clock, throttle, value, limits, audit, trustedProxies, workers, metrics);
        }

        public Options withLimits(Limits value) {
            return new Options(authenticators, clock, throttle, issuer, value, audit, trustedProxies, workers, metrics);
        }

        public Options withAudit(Consumer<String> value) {
            return new Options(authenticators, clock, throttle, issuer, limits, value, trustedProxies, workers, metrics);
        }

        public Options withTrustedProxies(TrustedProxies value) {
            return new Options(authenticators, clock, throttle, issuer, limits, audit, value, workers, metrics);
        }

        public Options withWorkers(Workers value) {
            return new Options(authenticators, clock, throttle, issuer, limits, audit, trustedProxies, value, metrics);
        }

        /** The registry {@code /metrics} serves; share one to publish the rest of the process's series beside these. */
        public Options withMetrics(PrometheusMeterRegistry value) {
            return new Options(authenticators, clock, throttle, issuer, limits, audit, trustedProxies, workers, value);
        }
    }

    /** Every route of the token server, with the failure handler that turns errors into errcode JSON. */
    public static Router router(Vertx vertx, RealmState state, Options options) {
        TokenServer server = new TokenServer(vertx, state, options);
        Router router = Router.router(vertx);
        router.route("/token").handler(server::beginTokenRequest);
        router.get("/token").handler(server::getToken);
        router.post("/token").handler(server::postToken);
        router.get("/jwks.json").handler(server::jwks);
        router.get("/healthz").handler(server::healthz);
        router.get("/readyz").handler(server::readyz);
        router.get("/metrics").handler(server::metrics);
        router.get(RegistryLogin.PATH).handler(ctx -> RegistryLogin.handle(ctx, state));
        router.route().failureHandler(server::failure);
        router.errorHandler(404, server::failure);
        router.errorHandler(405, server::failure);
        return router;
    }

    /** Starts a server on {@code host:port} (port 0 picks a free one; read it from the result). */
    public static Future<HttpServer> start(Vertx vertx, RealmState state, Options options, String host, int port) {
        HttpServerOptions http = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setMaxInitialLineLength(options.limits().maxInitialLineLength())
                .setMaxHeaderSize(options.limits().maxHeaderSize())
                .setIdleTimeout(60);
        return vertx.createHttpServer(http).requestHandler(router(vertx, state, options)).listen();
    }

    /** Starts a server on every interface. */
    public static Future<HttpServer> start(Vertx vertx, RealmState state, Options options, int port) {
        return start(vertx, state, options, "0.0.0.0", port);
    }

    /**
     * Opens the request's decision, for the client address {@link TrustedProxies} decides; metrics and the
     * audit line are written once, when the answer's body has been handed to the connection (the body-end
     * hook fires for HTTP/1.1 and h2c alike).
     */
    private void beginTokenRequest(RoutingContext ctx) {
        SocketAddress remote = ctx.request().remoteAddress();
        String peer = remote == null ? "" : remote.hostAddress();
        Decision decision = new Decision(options.trustedProxies().clientAddress(peer,
                ctx.request().headers().getAll(TrustedProxies.HEADER)));
        ctx.put(Decision.CONTEXT_KEY, decision);
        ctx.addBodyEndHandler(v -> {
            int status = ctx.response().getStatusCode();
            TokenMetrics.Outcome outcome = TokenMetrics.Outcome.of(status);
            metrics.tokenRequest(decision.serviceLabel(), outcome, System.nanoTime() - decision.startNanos);
            options.audit().accept(decision.auditLine(options.clock().instant(), outcome, status));
        });
        ctx.next();
    }

    /** Docker, containers/image, Jib and skopeo: Basic credentials (or none) and query parameters. */
    private void getToken(RoutingContext ctx) {
        Decision decision = ctx.get(Decision.CONTEXT_KEY);
        FormFields query = FormFields.decode(ctx.request().query());
        RealmConfig realm = resolveRealm(state.current(), query.first("service"), decision);
        ctx.put(RealmConfig.class.getName(), realm);
        List<ResourceScope> requested = parseScopes(query.all("scope"), decision);
        decision.requested = requested;

        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        Credentials credentials = authorization == null ? null : BasicAuth.parse(authorization);
        String account = query.first("account");
        if (credentials != null && account != null && !account.isEmpty()
                && !account.equals(credentials.username())) {
            decision.subject = credentials.username();
            throw RealmException.unauthorized("account does not match credentials");
        }
        boolean offline = "true".equalsIgnoreCase(query.first("offline_token"));
        Instant now = options.clock().instant();
        answerOffLoop(ctx, false, lane -> {
            AuthResult.Admitted who = credentials == null
                    ? flow.anonymous(realm, decision)
                    : flow.authenticate(realm, credentials, now, decision, lane);
            String refresh = offline && !who.identity().anonymous() ? session(realm, who, now) : null;
            return flow.issue(realm, who.identity(), requested, now, refresh, decision);
        });
    }

    /** The OAuth2 flavour: password and refresh_token grants in a form body (chunked or not). */
    private void postToken(RoutingContext ctx) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw RealmException.badRequest("expected an application/x-www-form-urlencoded body");
        }
        readBody(ctx.request(), options.limits().maxBodySize())
                .onSuccess(body -> {
                    try {
                        grant(ctx, FormFields.decode(body.toString(StandardCharsets.ISO_8859_1)));
                    } catch (RuntimeException e) {
                        ctx.fail(e);
                    }
                })
                .onFailure(ctx::fail);
    }

    /**
     * Collects the body up to {@code limit} bytes whatever its transfer encoding. Read here rather than
     * with BodyHandler, which would also run Netty's lenient form decoder over it; the form is decoded
     * once, strictly, by {@link FormFields}.
     */
    private static Future<Buffer> readBody(HttpServerRequest request, int limit) {
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > limit) {
                promise.tryFail(TOO_LARGE);
            } else if (!promise.future().isComplete()) {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(promise::tryFail);
        request.endHandler(v -> promise.tryComplete(body));
        request.resume();
        return promise.future();
    }

    /** The grant a POST form asks for. */
    private void grant(RoutingContext ctx, FormFields form) {
        Decision decision = ctx.get(Decision.CONTEXT_KEY);
        RealmConfig realm = resolveRealm(state.current(), form.first("service"), decision);
        ctx.put(RealmConfig.class.getName(), realm);
        List<ResourceScope> requested = parseScopes(form.all("scope"), decision);
        decision.requested = requested;

        String grantType = form.first("grant_type");
        boolean offline = "offline".equals(form.first("access_type"));
        Instant now = options.clock().instant();
        if ("password".equals(grantType)) {
            String username = form.first("username");
            if (username == null || username.isEmpty()) {
                throw RealmException.badRequest("missing username");
            }
            Credentials credentials = Credentials.checked(username, form.first("password"), "invalid password grant");
            answerOffLoop(ctx, true, lane -> {
                AuthResult.Admitted who = flow.authenticate(realm, credentials, now, decision, lane);
                String refresh = offline ? session(realm, who, now) : null;
                return flow.issue(realm, who.identity(), requested, now, refresh, decision);
            });
        } else if ("refresh_token".equals(grantType)) {
            String refreshToken = form.first("refresh_token");
            if (refreshToken == null || refreshToken.isEmpty()) {
                throw RealmException.badRequest("missing refresh_token");
            }
            if (refreshToken.length() > RefreshTokens.MAX_CHARS) {
                throw RealmException.badRequest("refresh_token longer than " + RefreshTokens.MAX_CHARS + " characters");
            }
            // The SAME refresh token goes back: docker stores the one it has and breaks if it rotates.
            answerOffLoop(ctx, true, lane -> {
                AuthResult.Admitted who = flow.refresh(realm, refreshToken, now, decision, lane);
                return flow.issue(realm, who.identity(), requested, now, refreshToken, decision);
            });
        } else {
            throw new RealmException(400, "UNSUPPORTED", grantType == null
                    ? "unsupported grant_type: none given"
                    : "unsupported grant_type " + quote(grantType));
        }
    }

    /** Keys a distribution v3 registry can load as its {@code jwks} file; {@code ?service=} narrows to one realm. */
    private void jwks(RoutingContext ctx) {
        RealmSnapshot snapshot = state.current();
        String service = FormFields.decode(ctx.request().query()).first("service");
        List<RealmConfig> realms = new ArrayList<>();
        if (service != null) {
            realms.add(snapshot.realm(service).orElseThrow(
                    () -> new RealmException(404, "NAME_UNKNOWN", "unknown service " + quote(service))));
        } else {
            realms.addAll(snapshot.byService().values());
            realms.sort(Comparator.comparing(RealmConfig::service));
        }
        JsonArray keys = new JsonArray();
        Set<String> kids = new HashSet<>();
        for (RealmConfig realm : realms) {
            new JsonObject(realm.keys().jwksJson()).getJsonArray("keys").forEach(key -> {
                if (kids.add(((JsonObject) key).getString("kid"))) {
                    keys.add(key);
                }
            });
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .end(new JsonObject().put("keys", keys).encode());
    }

    /**
     * Whether this process can serve: its event loop answered (this handler runs there) and a task on the
     * worker pool that runs every token request's checks and signing completes within two seconds. Neither
     * depends on the API server or a realm being loaded (that is readiness), so an outage never restarts it.
     */
    private void healthz(RoutingContext ctx) {
        Promise<Boolean> answered = Promise.promise();
        long timer = vertx.setTimer(HEALTH_TIMEOUT_MILLIS, t -> answered.tryComplete(false));
        vertx.executeBlocking(() -> true, false).onComplete(done -> {
            vertx.cancelTimer(timer);
            answered.tryComplete(done.succeeded());
        });
        answered.future().onSuccess(ok -> ctx.response().setStatusCode(ok ? 200 : 503)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                .end(ok ? "ok" : "worker pool does not answer"));
    }

    /** Ready once the first snapshot with at least one realm is loaded. */
    private void readyz(RoutingContext ctx) {
        boolean ready = state.ready();
        ctx.response().setStatusCode(ready ? 200 : 503)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                .end(ready ? "ready" : "no realm loaded");
    }

    private void metrics(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TokenMetrics.CONTENT_TYPE)
                .end(metrics.render(state.gauges()));
    }

    /**
     * Every failure becomes the registry errcode JSON. A RealmException carries its own status and
     * message; anything unexpected is logged here with its stack trace and the client only learns
     * "internal error".
     */
    private void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status;
        String code;
        String message;
        HttpServerResponse response = ctx.response();
        if (failure instanceof RealmException e) {
            status = e.status();
            code = e.code();
            message = e.getMessage();
        } else if (failure instanceof TooManyFailures e) {
            status = 429;
            code = "TOOMANYREQUESTS";
            message = "too many failed attempts; retry later";
            response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        } else if (failure instanceof ServerBusy) {
            status = 503;
            code = "UNAVAILABLE";
            message = "token server busy; retry later";
            response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(ServerBusy.RETRY_AFTER_SECONDS));
        } else if (failure == null || failure instanceof HttpException) {
            status = failure == null ? ctx.statusCode() : ((HttpException) failure).getStatusCode();
            code = codeFor(status);
            message = messageFor(status);
        } else {
            LOG.error("token server failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
            status = 500;
            code = "UNKNOWN";
            message = "internal error";
        }
        Decision decision = ctx.get(Decision.CONTEXT_KEY);
        if (decision != null) {
            decision.reason = message;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (status == 401) {
            RealmConfig realm = ctx.get(RealmConfig.class.getName());
            String name = realm == null ? "registry"
                    : realm.realmUrl() == null || realm.realmUrl().isBlank() ? realm.service() : realm.realmUrl();
            response.putHeader("WWW-Authenticate", "Basic realm=\"" + name.replace("\"", "") + "\"");
        }
        JsonObject error = new JsonObject().put("code", code).put("message", message);
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(new JsonObject().put("errors", new JsonArray().add(error)).encode());
    }

    /** A refresh token for a session starting with this login, if the realm issues them (null otherwise). */
    private static String session(RealmConfig realm, AuthResult.Admitted who, Instant now) {
        return realm.issuesRefreshTokens() ? RefreshTokens.issue(realm, who.identity(), who.binding(), now).orElse(null)
                : null;
    }

    private RealmConfig resolveRealm(RealmSnapshot snapshot, String service, Decision decision) {
        decision.service = service;
        if (service == null || service.isEmpty()) {
            throw RealmException.badRequest("missing service");
        }
        if (snapshot.byService().isEmpty()) {
            throw new RealmException(503, "UNAVAILABLE", "no realm loaded yet");
        }
        RealmConfig realm = snapshot.realm(service)
                .orElseThrow(() -> RealmException.badRequest("unknown service " + quote(service)));
        decision.knownService = true;
        return realm;
    }

    /**
     * Runs the blocking part of a token request on a worker and answers back on the event loop. It starts
     * on Vert.x's shared pool as CHEAP work; a request that meets a costly check there (a bcrypt run, a
     * provider call) is run again, whole, on that cost's lane, so it never holds a shared worker while it
     * waits. Unordered: ordered tasks of one context run one at a time, which would put every request of
     * this event loop behind a single thread.
     */
    private void answerOffLoop(RoutingContext ctx, boolean oauth, Function<Cost, TokenFlow.Answer> work) {
        vertx.executeBlocking(() -> work.apply(Cost.CHEAP), false)
                .recover(failure -> failure instanceof TokenFlow.Deferred deferred
                        ? laneOf(deferred.cost).run(() -> work.apply(deferred.cost))
                        : Future.failedFuture(failure))
                .onSuccess(answer -> sendToken(ctx, answer, oauth))
                .onFailure(ctx::fail);
    }

    private WorkLane laneOf(Cost cost) {
        return cost == Cost.HASH ? hashLane : remoteLane;
    }

    /** The requested scopes; a malformed one is refused (400) and audited as {@code malformed-scope}. */
    private static List<ResourceScope> parseScopes(List<String> raw, Decision decision) {
        try {
            return ScopeParser.parse(raw);
        } catch (RealmException e) {
            String bad = "";
            for (String value : raw) {
                try {
                    ScopeParser.parse(List.of(value));
                } catch (RealmException one) {
                    bad = value;
                    break;
                }
            }
            decision.denied = Map.of(printable(bad), "malformed-scope");
            throw e;
        }
    }

    /** Client input for a log line: printable ASCII only, at most 100 characters. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 100; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    /** Client input echoed in an error message: quoted, and cut short so an error stays small. */
    private static String quote(String value) {
        return "'" + (value.length() > 100 ? value.substring(0, 100) + "..." : value) + "'";
    }

    private void sendToken(RoutingContext ctx, TokenFlow.Answer answer, boolean oauth) {
        String token = answer.token().token();
        JsonText body = JsonText.object(2 * token.length() + 128)
                .field("token", token)
                .field("access_token", token)
                .field("expires_in", answer.token().expiresIn())
                .field("issued_at", answer.token().issuedAt().truncatedTo(ChronoUnit.SECONDS).toString());
        if (oauth) {
            body.field("scope", String.join(" ", answer.granted().stream().map(ResourceScope::toScopeString).toList()));
        }
        if (answer.refreshToken() != null) {
            body.field("refresh_token", answer.refreshToken());
        }
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.close());
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 401 -> "UNAUTHORIZED";
            case 404 -> "NOT_FOUND";
            case 405, 415 -> "UNSUPPORTED";
            case 413 -> "SIZE_INVALID";
            case 429 -> "TOOMANYREQUESTS";
            case 503 -> "UNAVAILABLE";
            default -> status < 500 ? "INVALID_REQUEST" : "UNKNOWN";
        };
    }

    private static String messageFor(int status) {
        return switch (status) {
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 413 -> "request body too large";
            default -> status < 500 ? "bad request" : "internal error";
        };
    }
}
