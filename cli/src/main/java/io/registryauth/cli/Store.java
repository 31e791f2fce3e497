package io.registryauth.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The sign-ins, one file per registry under {@code <config dir>/sessions/} (directories 0700, files
 * 0600). A lock file per registry lets concurrent credential-helper runs share one refresh.
 */
final class Store {
    private static final ConcurrentHashMap<String, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final Path dir;

    Store(Path configDir) {
        this.dir = configDir;
    }

    Path dir() {
        return dir;
    }

    private Path sessions() {
        return dir.resolve("sessions");
    }

    /** {@code host:port} as a file name: ':' is not welcome everywhere, '_' never appears in host names. */
    private Path file(String registry) {
        return sessions().resolve(registry.replace(':', '_').replace('[', '_').replace(']', '_') + ".json");
    }

    Session load(String registry) {
        String text;
        File file = file(registry).toFile();
        // java.io rather than NIO: its classes are in the JDK's own class-data archive, so the helper starts faster.
        try (FileInputStream in = new FileInputStream(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            if (!file.exists()) {
                return null;
            }
            throw new CliException("cannot read the stored sign-in for " + registry + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliException("cannot read the stored sign-in for " + registry + ": " + e.getMessage(), e);
        }
        Session session = Session.fromJson(Json.parse(text, "the stored sign-in for " + registry));
        return registry.equals(session.registry()) ? session : null;
    }

    void save(Session session) {
        AtomicFiles.privateDirectory(dir);
        AtomicFiles.privateDirectory(sessions());
        AtomicFiles.write(file(session.registry()), Json.write(session.toJson()) + "\n", AtomicFiles.OWNER_ONLY, false);
    }

    boolean delete(String registry) {
        try {
            Files.deleteIfExists(file(registry).resolveSibling(file(registry).getFileName() + ".lock"));
            return Files.deleteIfExists(file(registry));
        } catch (IOException e) {
            throw new CliException("cannot delete the stored sign-in for " + registry + ": " + e.getMessage(), e);
        }
    }

    List<Session> all() {
        List<Session> out = new ArrayList<>();
        if (!Files.isDirectory(sessions())) {
            return out;
        }
        try (Stream<Path> files = Files.list(sessions())) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.add(Session.fromJson(Json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString())));
            }
        } catch (IOException e) {
            throw new CliException("cannot list " + sessions() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Holds the registry's lock file exclusively until closed: other processes wait on the file lock,
     * other threads of this one on a lock of their own (the JVM refuses overlapping file locks).
     */
    AutoCloseable lock(String registry) {
        AtomicFiles.privateDirectory(dir);
        AtomicFiles.privateDirectory(sessions());
        Path lockFile = file(registry).resolveSibling(file(registry).getFileName() + ".lock");
        ReentrantLock local = LOCAL.computeIfAbsent(lockFile.toAbsolutePath().toString(), k -> new ReentrantLock());
        local.lock();
        try {
            FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(AtomicFiles.OWNER_ONLY));
            FileLock lock = channel.lock();
            return () -> {
                try {
                    lock.release();
                    channel.close();
                } finally {
                    local.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw new CliException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

}
