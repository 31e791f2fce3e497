package io.registryauth.operator.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeyMirror;
import io.registryauth.operator.model.RealmModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realm's inputs as this replica last read them from the API server, kept on local disk so that a
 * replica (re)started while the API server is unreachable can serve. What is kept are the Kubernetes objects
 * the feed read (RegistryAuths, RepositoryAccesses, the Secrets they reference and the generated pull
 * Secrets), never a built realm: on start the same model code builds the realm from them. Signing-key
 * Secrets are not written here; they are read from the Secret volume mounted at {@link #ENV_SIGNING_KEYS_DIR}:
 * the copy {@link SigningKeyMirror} keeps in the operator's namespace (see manifests/04-deployment.yaml).
 */
public final class PersistedSnapshot {
    /** Directory for the inputs file (an emptyDir); unset = nothing persisted. */
    public static final String ENV_SNAPSHOT_DIR = "SNAPSHOT_DIR";
    /** Directory where the signing Secrets are mounted; unset = no realm can be served from disk. */
    public static final String ENV_SIGNING_KEYS_DIR = "SIGNING_KEYS_DIR";
    static final String FILE = "realm-inputs.json";
    private static final Logger LOG = LoggerFactory.getLogger(PersistedSnapshot.class);

    private final Path dir;
    private final Path signingKeysDir;
    private final KubernetesSerialization serialization;

    /**
     * What is written: when the inputs were last confirmed current, and the objects.
     *
     * @param confirmedAt        when the feed last knew its caches were in step with the API server
     * @param registryAuths      the RegistryAuths read
     * @param repositoryAccesses the grants read
     * @param secrets            the Secrets the realms referenced, signing Secrets excepted
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Contents(Instant confirmedAt, List<RegistryAuth> registryAuths,
                           List<RepositoryAccess> repositoryAccesses, List<Secret> secrets) {
        public Contents {
            registryAuths = registryAuths == null ? List.of() : List.copyOf(registryAuths);
            repositoryAccesses = repositoryAccesses == null ? List.of() : List.copyOf(repositoryAccesses);
            secrets = secrets == null ? List.of() : List.copyOf(secrets);
        }

        /**
         * What to keep of a rebuild: the RegistryAuths, the grants naming one of them, the Secrets the realms
         * read and the pull Secrets of those grants (not yet confirmed: the time is set when written).
         */
        static Contents of(List<RegistryAuth> registryAuths, List<RepositoryAccess> grants,
                           Collection<Secret> secretsRead, Map<String, Secret> pullSecrets) {
            List<RepositoryAccess> targeting = grants.stream()
                    .filter(g -> registryAuths.stream().anyMatch(a -> RealmModel.targets(g, a))).toList();
            Map<String, Secret> secrets = new LinkedHashMap<>();
            secretsRead.forEach(secret -> secrets.put(ResourceNames.key(secret), secret));
            for (RepositoryAccess grant : targeting) {
                if (grant.getSpec().getCredentials() != null && grant.getSpec().getCredentials().getSecretName() != null) {
                    String key = ResourceNames.key(grant.getMetadata().getNamespace(),
                            grant.getSpec().getCredentials().getSecretName());
                    Secret pull = pullSecrets.get(key);
                    if (pull != null) {
                        secrets.putIfAbsent(key, pull);
                    }
                }
            }
            return new Contents(null, registryAuths, targeting, List.copyOf(secrets.values()));
        }

        /** The Secrets by "namespace/name". */
        Map<String, Secret> secretsByKey() {
            Map<String, Secret> byKey = new HashMap<>();
            secrets.forEach(secret -> byKey.put(ResourceNames.key(secret), secret));
            return byKey;
        }

        /** The generated pull Secrets (those with the robot-for label) by "namespace/name". */
        Map<String, Secret> pullSecretsByKey() {
            Map<String, Secret> byKey = new HashMap<>();
            secrets.stream().filter(s -> s.getMetadata().getLabels() != null
                            && s.getMetadata().getLabels().containsKey(ResourceNames.ROBOT_FOR_LABEL))
                    .forEach(secret -> byKey.put(ResourceNames.key(secret), secret));
            return byKey;
        }
    }

    /**
     * Inputs waiting to be written, replaced only when their key (what identifies them: the realms'
     * fingerprints and the Secrets' versions) changes. Used by one thread.
     */
    static final class Pending {
        private Object key;
        private Contents contents;

        void offer(Object nextKey, Supplier<Contents> next) {
            if (!nextKey.equals(key)) {
                key = nextKey;
                contents = next.get();
            }
        }

        /** Writes what waits, stamped {@code confirmedAt}; a failure is logged and retried next time. */
        void saveTo(PersistedSnapshot store, Instant confirmedAt) {
            if (contents == null) {
                return;
            }
            try {
                store.save(new Contents(confirmedAt, contents.registryAuths(), contents.repositoryAccesses(),
                        contents.secrets()));
                contents = null;
            } catch (RuntimeException e) {
                LOG.warn("cannot persist the realm inputs: {}", e.getMessage());
            }
        }
    }

    public PersistedSnapshot(Path dir, Path signingKeysDir, KubernetesSerialization serialization) {
        this.dir = dir;
        this.signingKeysDir = signingKeysDir;
        this.serialization = serialization;
    }

    /** From {@link #ENV_SNAPSHOT_DIR} and {@link #ENV_SIGNING_KEYS_DIR}; empty when no snapshot directory is set. */
    public static Optional<PersistedSnapshot> fromEnvironment(Map<String, String> env,
                                                              KubernetesSerialization serialization) {
        String dir = env.get(ENV_SNAPSHOT_DIR);
        if (dir == null || dir.isBlank()) {
            return Optional.empty();
        }
        String keys = env.get(ENV_SIGNING_KEYS_DIR);
        return Optional.of(new PersistedSnapshot(Path.of(dir.trim()),
                keys == null || keys.isBlank() ? null : Path.of(keys.trim()), serialization));
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** Writes {@code contents} whole (a temporary file moved into place), readable by this user only. */
    public void save(Contents contents) {
        try {
            Files.createDirectories(dir);
            Path temporary = dir.resolve(FILE + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, serialization.asJson(contents), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file(), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(), e);
        }
    }

    /**
     * The inputs last written, with the mounted signing Secrets added to {@code secrets}; empty when nothing
     * was written yet. Throws UncheckedIOException when the file exists but cannot be read.
     */
    public Optional<Contents> load() {
        if (!Files.isRegularFile(file())) {
            return Optional.empty();
        }
        Contents stored;
        try {
            stored = serialization.unmarshal(Files.readString(file(), StandardCharsets.UTF_8), Contents.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(), e);
        }
        List<Secret> secrets = new ArrayList<>(stored.secrets());
        secrets.addAll(signingSecrets());
        return Optional.of(new Contents(stored.confirmedAt(), stored.registryAuths(), stored.repositoryAccesses(),
                secrets));
    }

    /**
     * The mounted signing Secrets, rebuilt as Secret objects: files named {@code <namespace>_<secret>_<key>}
     * ({@link SigningKeyMirror}) hold the decoded data.
     */
    List<Secret> signingSecrets() {
        List<Secret> secrets = new ArrayList<>();
        if (signingKeysDir == null || !Files.isDirectory(signingKeysDir)) {
            return secrets;
        }
        Map<String, Map<String, String>> bySecret = new TreeMap<>();
        for (Path file : list(signingKeysDir).stream().filter(Files::isRegularFile).toList()) {
            String[] parts = file.getFileName().toString().split("_", 3);
            if (parts.length != 3) {
                continue;
            }
            try {
                bySecret.computeIfAbsent(parts[0] + "/" + parts[1], k -> new LinkedHashMap<>())
                        .put(parts[2], Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        bySecret.forEach((key, data) -> secrets.add(new SecretBuilder().withMetadata(new ObjectMetaBuilder()
                        .withNamespace(key.substring(0, key.indexOf('/'))).withName(key.substring(key.indexOf('/') + 1))
                        .build())
                .withData(data).build()));
        return secrets;
    }

    /** Secret volumes hold "..data" and timestamped directories beside the visible entries. */
    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
