package io.registryauth.operator.dev;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-syncs the manifest directories when a file in them changes. Editors save in several steps (temp file,
 * rename, chmod), so events are collected until the directory has been quiet for a moment.
 */
public final class ManifestWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestWatcher.class);
    private static final Duration QUIET = Duration.ofMillis(50);

    private final WatchService watchService;
    private final Thread thread;

    private ManifestWatcher(WatchService watchService, Runnable onChange) {
        this.watchService = watchService;
        this.thread = new Thread(() -> loop(onChange), "manifest-watcher");
        this.thread.setDaemon(true);
    }

    /** Watches {@code dirs} and runs {@code onChange} (on the watcher's own thread) after each burst of changes. */
    public static ManifestWatcher start(List<Path> dirs, Runnable onChange) throws IOException {
        WatchService service = FileSystems.getDefault().newWatchService();
        for (Path dir : dirs) {
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        ManifestWatcher watcher = new ManifestWatcher(service, onChange);
        watcher.thread.start();
        return watcher;
    }

    private void loop(Runnable onChange) {
        try {
            while (true) {
                drain(watchService.take());
                WatchKey more;
                while ((more = watchService.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOG.error("re-applying manifests failed", e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    @Override
    public void close() throws IOException {
        watchService.close();
        thread.interrupt();
    }
}
