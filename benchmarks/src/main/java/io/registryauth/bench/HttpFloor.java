package io.registryauth.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * What any token server could do over HTTP on this machine: each {@code GET /token} is answered with a fresh
 * bare signature ({@link IssuanceBenchmark#bareNimbusSignature}, as {@link BareSigning} makes them) in the
 * realm's answer shape, signed on the event loop that received the request, one Vert.x HTTP server per event
 * loop, nothing else: no parsing, no authentication, no policy, no audit. Measured with wrk beside it, the gap
 * to {@link BareSigning} is what HTTP, the kernel and the load generator cost; the gap to the realm is what
 * the realm adds. {@code benchmarks/wrk/realm-vs-peers.sh} runs it with {@code FLOOR=1}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.registryauth.bench.HttpFloor [event-loops]}; prints
 * {@code floor at http://127.0.0.1:PORT/token} once listening (a free port) and serves until killed.
 */
public final class HttpFloor {
    private HttpFloor() {
    }

    public static void main(String[] args) throws Exception {
        int loops = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        IssuanceBenchmark bench = new IssuanceBenchmark();
        bench.setUp();
        Vertx vertx = Vertx.vertx();
        // Negative port: a free port chosen once and shared by every server given the same number.
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(-1);
        int[] port = new int[1];
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createHttpServer(options).requestHandler(request -> {
                    String token;
                    try {
                        token = bench.bareNimbusSignature();
                    } catch (Exception e) {
                        request.response().setStatusCode(500).end();
                        return;
                    }
                    String body = "{\"token\":\"" + token + "\",\"access_token\":\"" + token
                            + "\",\"expires_in\":300,\"issued_at\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                            + "\"}";
                    request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body);
                }).listen().onSuccess(server -> {
                    port[0] = server.actualPort();
                    started.complete();
                }).onFailure(started::fail);
            }
        }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("floor at http://127.0.0.1:" + port[0] + "/token (" + loops + " event loops)");
        System.out.flush();
        Thread.currentThread().join();
    }
}
