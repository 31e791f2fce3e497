package io.registryauth.operator.dev;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.RegistryAuthOperator;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.TokenServerOptions;
import io.registryauth.operator.feed.RealmFeed;
import io.registryauth.realm.RealmState;
import io.registryauth.realm.http.TokenServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operator on a laptop: an embedded Kubernetes API (which also issues and reviews service-account
 * tokens), the token server on 127.0.0.1, the user's manifests applied and watched, the operator (without
 * leader election) and the realm feed, and the files a local registry needs in the state directory. {@link #close} stops everything in reverse order.
 */
public final class DevMode implements AutoCloseable {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Path stateDir;
    private volatile String realmUrl;

    private DevMode(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** Thrown when dev mode cannot start for a reason the user can fix (port taken, directory missing). */
    public static final class StartupException extends Exception {
        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Starts everything; on failure, stops what was started and throws. */
    public static DevMode start(DevOptions options, PrintStream out) throws StartupException {
        for (Path dir : options.manifests()) {
            if (!Files.isDirectory(dir)) {
                throw new StartupException("manifests directory " + dir + " does not exist", null);
            }
        }
        DevMode dev = new DevMode(options.stateDir());
        try {
            dev.run(options, out);
            return dev;
        } catch (RuntimeException | IOException e) {
            dev.close();
            throw new StartupException("dev mode failed to start: " + e.getMessage(), e);
        } catch (StartupException e) {
            dev.close();
            throw e;
        }
    }

    private void run(DevOptions options, PrintStream out) throws IOException, StartupException {
        // The API first: the realm asks it to review service-account tokens.
        EmbeddedApiServer api = EmbeddedApiServer.start(0);
        resources.add(api);
        KubernetesClient client = api.client();
        RealmState state = new RealmState();
        Vertx vertx = Vertx.vertx();
        resources.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        HttpServer http = listen(vertx, state, client, options.port());
        // The realm's address is the default realm URL the operator writes everywhere.
        realmUrl = "http://127.0.0.1:" + http.actualPort() + "/token";

        Files.createDirectories(stateDir);
        Path kubeconfig = stateDir.resolve("kubeconfig");
        api.writeKubeconfig(kubeconfig);

        ManifestApplier applier = new ManifestApplier(api);
        for (Class<? extends HasMetadata> type : List.of(RegistryAuth.class, RepositoryAccess.class)) {
            applier.installCrd(crd(client, type));
        }
        ManifestApplier.Outcome applied = applier.sync(options.manifests());

        OperatorSettings settings = OperatorSettings.defaults().withPublicRealmUrl(realmUrl);
        RealmProblemSignal problems = new RealmProblemSignal();
        resources.add(RealmFeed.start(client, settings, state, problems));
        resources.add(RegistryAuthOperator.start(client, settings, problems));
        resources.add(RegistryFiles.start(client, stateDir, out));
        resources.add(ManifestWatcher.start(options.manifests(), () -> {
            ManifestApplier.Outcome outcome = applier.sync(options.manifests());
            if (outcome.changedAnything()) {
                out.println("registry-auth dev: re-applied manifests: " + outcome.applied().size() + " applied, "
                        + outcome.deleted().size() + " deleted");
            }
        }));

        out.println("registry-auth dev: realm at " + realmUrl);
        out.println("registry-auth dev: Kubernetes API at " + api.url() + " (kubectl --kubeconfig " + kubeconfig + ")");
        out.println("registry-auth dev: applied " + applied.applied().size() + " objects from "
                + options.manifests() + (applied.errors().isEmpty() ? "" : ", " + applied.errors().size()
                + " errors (see above)") + "; watching for changes");
        out.println("registry-auth dev: registry files under " + stateDir.resolve("registries")
                + "/<namespace>/<name>/ (" + ResourceNames.BUNDLE_FILE + ", " + ResourceNames.JWKS_FILE + ", "
                + RegistryFiles.ENV_FILE + ")");
        out.println("registry-auth dev: press Ctrl-C to stop");
    }

    private static HttpServer listen(Vertx vertx, RealmState state, KubernetesClient client,
                                     int port) throws StartupException {
        try {
            return TokenServer.start(vertx, state, TokenServerOptions.standard(client), "127.0.0.1", port)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot serve the realm on 127.0.0.1:" + port + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while starting", e);
        }
    }

    /** The CRD the crds module generated for {@code type}, from its jar. */
    static CustomResourceDefinition crd(KubernetesClient client, Class<? extends HasMetadata> type) {
        String resource = "META-INF/fabric8/" + HasMetadata.getFullResourceName(type) + "-v1.yml";
        try (InputStream in = RegistryAuth.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String realmUrl() {
        return realmUrl;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Stops the watcher, files, operator, feed, realm and API server, newest first; never throws. */
    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                System.err.println("registry-auth dev: while stopping: " + e);
            }
        }
        resources.clear();
    }
}
