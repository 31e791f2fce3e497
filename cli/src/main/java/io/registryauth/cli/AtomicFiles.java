package io.registryauth.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Whole-file writes that readers never see half done: a private temporary file, then a rename. */
final class AtomicFiles {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private AtomicFiles() {
    }

    /** Creates {@code dir} (and parents) if missing; a directory this CLI owns is kept at 0700. */
    static Path privateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                } catch (FileAlreadyExistsException raced) {
                    // another process made it first
                }
            }
            Files.setPosixFilePermissions(dir, PRIVATE_DIR);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces {@code target} with {@code content}. The new file gets {@code permissions}, or those of the
     * file it replaces when {@code keepExisting} and there is one.
     */
    static void write(Path target, String content, Set<PosixFilePermission> permissions, boolean keepExisting) {
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Set<PosixFilePermission> mode = keepExisting && Files.exists(target)
                    ? Files.getPosixFilePermissions(target) : permissions;
            Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try {
                Files.writeString(temp, content, StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(temp, mode);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new CliException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
