package io.registryauth.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.registryauth.operator.dev.DevMode;
import io.registryauth.operator.dev.DevOptions;
import io.registryauth.operator.feed.PersistedSnapshot;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.operator.logging.Logging;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.http.TokenServer;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar registry-auth-operator.jar} runs the operator in a cluster: the realm on port 5001 fed
 * by this replica's informers, and the reconcilers behind leader election. {@code ... dev [options]} runs
 * the same pieces against an embedded API server (see {@link DevMode}). Exit codes: 0 after a clean stop
 * or --help, 1 when it cannot start, 2 for a bad command line.
 */
public final class Main {
    public static final int REALM_PORT = 5001;
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        List<String> arguments = Arrays.asList(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.print(DevOptions.USAGE);
            return;
        }
        try {
            boolean dev = !arguments.isEmpty() && arguments.get(0).equals("dev");
            Logging.configure(System.getenv(), dev ? Logging.Format.TEXT : Logging.Format.JSON);
            if (arguments.isEmpty()) {
                production();
            } else if (arguments.get(0).equals("dev")) {
                dev(DevOptions.parse(arguments.subList(1, arguments.size())));
            } else {
                throw new DevOptions.UsageException("unknown command: " + arguments.get(0));
            }
        } catch (DevOptions.UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(DevOptions.USAGE);
            System.exit(2);
        } catch (DevMode.StartupException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void dev(DevOptions options) throws DevMode.StartupException {
        DevMode dev = DevMode.start(options, System.out);
        runUntilStopped(() -> {
            dev.close();
            System.out.println("registry-auth dev: stopped");
        });
    }

    private static void production() {
        OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv())
                .withLeaderElection(!"false".equalsIgnoreCase(System.getenv(OperatorSettings.ENV_LEADER_ELECTION)));
        KubernetesClient client = Clients.configure(new KubernetesClientBuilder()).build();
        RealmState state = new RealmState();
        Vertx vertx = Vertx.vertx();
        try {
            TokenServer.start(vertx, state, TokenServerOptions.standard(client)
                            .withTrustedProxies(settings.trustedProxies()), REALM_PORT)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            client.close();
            throw new IllegalArgumentException("cannot serve the realm on port " + REALM_PORT + ": " + e.getMessage(), e);
        }
        LOG.info("realm listening on port {}, trusted proxies {}", REALM_PORT, settings.trustedProxies());
        RealmProblemSignal problems = new RealmProblemSignal();
        // With SNAPSHOT_DIR set, the feed keeps its inputs there and a start without the API server serves them.
        PersistedSnapshot store = PersistedSnapshot.fromEnvironment(System.getenv(), client.getKubernetesSerialization())
                .orElse(null);
        RealmFeed feed = RealmFeed.start(client, settings, state, problems, store);
        // In the background: a replica started while the API server is away serves tokens meanwhile.
        RegistryAuthOperator operator = RegistryAuthOperator.startInBackground(client, settings, problems);
        runUntilStopped(() -> {
            operator.close();
            feed.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            client.close();
        });
    }

    /** Blocks until SIGTERM/SIGINT, then runs {@code stop} before the JVM exits. */
    private static void runUntilStopped(AutoCloseable stop) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop.close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
