package io.registryauth.operator.dev;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.feed.OnAnyChange;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors each RegistryAuth's registry ConfigMap into {@code <state>/registries/<namespace>/<name>/} so a
 * local registry can run with it: {@code rootcertbundle.pem}, {@code jwks.json} and {@code registry.env}
 * (the REGISTRY_AUTH_TOKEN_* entries, with file paths pointing at the files written here). The env file is
 * written last, so whoever sees it changed finds the bundle it names already in place.
 */
public final class RegistryFiles implements AutoCloseable {
    public static final String ENV_FILE = "registry.env";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryFiles.class);
    private static final String ENV_PREFIX = "REGISTRY_AUTH_TOKEN_";
    private static final long DEBOUNCE_MILLIS = 20;

    private final Path registriesDir;
    private final PrintStream out;
    private final SharedIndexInformer<RegistryAuth> auths;
    private final SharedIndexInformer<ConfigMap> configMaps;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "registry-files");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Directories written so far (touched only on the executor thread). */
    private final Set<Path> written = new HashSet<>();

    private RegistryFiles(KubernetesClient client, Path stateDir, PrintStream out) {
        this.registriesDir = stateDir.resolve("registries");
        this.out = out;
        this.auths = client.resources(RegistryAuth.class).inAnyNamespace().runnableInformer(0);
        this.configMaps = client.configMaps().inAnyNamespace()
                .withLabel(ResourceNames.MANAGED_BY_LABEL, ResourceNames.MANAGED_BY).runnableInformer(0);
    }

    /** Starts mirroring; {@code out} gets one line per file set written or removed. */
    public static RegistryFiles start(KubernetesClient client, Path stateDir, PrintStream out) {
        RegistryFiles files = new RegistryFiles(client, stateDir, out);
        files.watch(files.auths);
        files.watch(files.configMaps);
        return files;
    }

    /** Where the files of {@code namespace/name} go. */
    public static Path directory(Path stateDir, String namespace, String name) {
        return stateDir.resolve("registries").resolve(namespace).resolve(name);
    }

    private <T extends HasMetadata> void watch(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new OnAnyChange<>(this::changed));
        informer.start();
    }

    private void changed() {
        if (pending.compareAndSet(false, true)) {
            try {
                executor.schedule(this::sync, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // Closing: an event that raced the shutdown has nothing left to update.
            }
        }
    }

    private void sync() {
        pending.set(false);
        if (!auths.hasSynced() || !configMaps.hasSynced()) {
            return;
        }
        Set<Path> current = new HashSet<>();
        for (RegistryAuth auth : auths.getStore().list()) {
            String namespace = auth.getMetadata().getNamespace();
            ConfigMap configMap = configMaps.getStore()
                    .getByKey(ResourceNames.key(namespace, ResourceNames.registryConfigMap(auth)));
            if (configMap == null || configMap.getData() == null) {
                continue;
            }
            Path dir = directory(registriesDir.getParent(), namespace, auth.getMetadata().getName());
            current.add(dir);
            try {
                if (write(dir, configMap.getData())) {
                    out.println("registry-auth dev: wrote " + dir.resolve(ENV_FILE) + " (RegistryAuth "
                            + ResourceNames.key(auth) + ", service " + auth.getSpec().getService() + ")");
                }
            } catch (IOException e) {
                LOG.error("cannot write the registry files of {} into {}", ResourceNames.key(auth), dir, e);
            }
        }
        for (Path gone : written.stream().filter(dir -> !current.contains(dir)).toList()) {
            try {
                remove(gone);
                out.println("registry-auth dev: removed " + gone);
            } catch (IOException e) {
                LOG.error("cannot remove {}", gone, e);
            }
        }
        written.retainAll(current);
        written.addAll(current);
    }

    /** Writes the three files; true when any of them changed. */
    static boolean write(Path dir, Map<String, String> data) throws IOException {
        Path bundle = dir.resolve(ResourceNames.BUNDLE_FILE);
        Path jwks = dir.resolve(ResourceNames.JWKS_FILE);
        boolean changed = StateFiles.write(bundle, data.getOrDefault(ResourceNames.BUNDLE_FILE, ""));
        changed |= StateFiles.write(jwks, data.getOrDefault(ResourceNames.JWKS_FILE, "{\"keys\":[]}"));
        StringBuilder env = new StringBuilder("""
                # The registry's auth.token settings from its RegistryAuth; start a local registry with:
                #   set -a; . ./registry.env; set +a; docker-registry serve config.yml
                """);
        // Sorted, so the file only changes when a value does.
        new TreeMap<>(data).forEach((key, value) -> {
            if (key.startsWith(ENV_PREFIX)) {
                env.append(key).append('=').append(shellQuote(localPath(value, bundle, jwks))).append('\n');
            }
        });
        changed |= StateFiles.write(dir.resolve(ENV_FILE), env.toString());
        return changed;
    }

    /** In the cluster the files are mounted; here they sit in the state directory. */
    private static String localPath(String value, Path bundle, Path jwks) {
        if (value.endsWith("/" + ResourceNames.BUNDLE_FILE)) {
            return bundle.toAbsolutePath().toString();
        }
        if (value.endsWith("/" + ResourceNames.JWKS_FILE)) {
            return jwks.toAbsolutePath().toString();
        }
        return value;
    }

    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static void remove(Path dir) throws IOException {
        for (String file : new String[] {ENV_FILE, ResourceNames.BUNDLE_FILE, ResourceNames.JWKS_FILE}) {
            Files.deleteIfExists(dir.resolve(file));
        }
        try (Stream<Path> rest = Files.list(dir)) {
            if (rest.findAny().isEmpty()) {
                Files.delete(dir);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        auths.close();
        configMaps.close();
    }
}
