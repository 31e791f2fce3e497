package io.registryauth.realm.it;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private Docker daemon (Debian {@code docker.io}) and the real docker CLI talking to it. The daemon
 * runs with its own data root, exec root, pid file and socket, no bridge, no iptables and the vfs storage
 * driver, so it touches nothing of the machine's own Docker; it is stopped by its process id at the end.
 * The CLI is {@code /usr/bin/docker} (another {@code docker} may come first on PATH), run with its own
 * {@code DOCKER_CONFIG} and a PATH holding only a private directory, so no credential helper of the
 * machine is picked up. Registries on 127.0.0.0/8 are plain HTTP for docker without any setting.
 * A missing binary fails the test.
 */
public final class DockerDaemon implements AutoCloseable {
    public static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    public static final Path DOCKER = Path.of("/usr/bin/docker");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(180);

    /** The outcome of one docker CLI run. The command line and stdin are not kept: they may carry secrets. */
    public record Result(String command, int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** Fails the test with docker's own words when {@code what} did not succeed. */
        public Result requireSuccess(String what) {
            if (!succeeded()) {
                throw new AssertionError(what + " (docker " + command + ") failed with exit code " + exitCode
                        + ":\n" + stderr + stdout);
            }
            return this;
        }
    }

    /** Root, exec root and socket: under /tmp, as a unix socket path is limited to 107 bytes. */
    private final Path runDir;
    private final Path socket;
    private final Path configDir;
    private final Path binDir;
    private final Path home;
    private final Path workDir;
    private final Path log;
    private final Process process;
    private final Thread reaper;
    private final AtomicInteger runs = new AtomicInteger();
    private Duration startup;

    private DockerDaemon(Path workDir, Path runDir, Process process, Path log) throws IOException {
        this.workDir = workDir;
        this.runDir = runDir;
        this.socket = runDir.resolve("docker.sock");
        this.configDir = Files.createDirectories(workDir.resolve("config"));
        this.binDir = Files.createDirectories(workDir.resolve("bin"));
        this.home = Files.createDirectories(workDir.resolve("home"));
        this.log = log;
        this.process = process;
        this.reaper = new Thread(() -> stopTree(Duration.ofSeconds(5)), "dockerd-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts a daemon whose log, CLI configuration and command outputs live in {@code workDir}, and waits
     * until it answers {@code GET /_ping} on its socket.
     */
    public static DockerDaemon start(Path workDir) throws IOException, InterruptedException {
        for (Path binary : List.of(DOCKERD, DOCKER)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is not installed; install it with: apt-get install -y docker.io");
            }
        }
        Files.createDirectories(workDir);
        Path runDir = Files.createTempDirectory(Path.of("/tmp"), "dkd-");
        Path log = workDir.resolve("dockerd.log");
        ProcessBuilder builder = new ProcessBuilder(DOCKERD.toString(),
                "--data-root", runDir.resolve("root").toString(),
                "--exec-root", runDir.resolve("exec").toString(),
                "--pidfile", runDir.resolve("pid").toString(),
                "-H", "unix://" + runDir.resolve("docker.sock"),
                "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--bridge=none",
                "--storage-driver=vfs")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // A proxy setting would send the daemon's registry calls (127.0.0.1 included) elsewhere.
        builder.environment().keySet().removeIf(name -> name.toLowerCase().endsWith("_proxy")
                || name.startsWith("DOCKER_"));
        long started = System.nanoTime();
        DockerDaemon daemon = new DockerDaemon(workDir, runDir, builder.start(), log);
        try {
            daemon.awaitPing();
        } catch (RuntimeException | Error | InterruptedException e) {
            daemon.close();
            throw e;
        }
        daemon.startup = Duration.ofNanos(System.nanoTime() - started);
        return daemon;
    }

    /** From launching dockerd until it first answered its ping. */
    public Duration startup() {
        return startup;
    }

    /** {@code unix://<socket>}, as DOCKER_HOST names this daemon. */
    public String host() {
        return "unix://" + socket;
    }

    /** The CLI's {@code DOCKER_CONFIG} directory (config.json lives there). */
    public Path configDir() {
        return configDir;
    }

    /** The only directory on the CLI's PATH: put a {@code docker-credential-*} helper here to have it used. */
    public Path binDir() {
        return binDir;
    }

    /** {@code docker login --username user --password-stdin registry}; the password goes through stdin only. */
    public Result login(String registry, String user, String password) {
        return run(List.of("login", "--username", user, "--password-stdin", registry), password);
    }

    public Result logout(String registry) {
        return run(List.of("logout", registry), null);
    }

    public Result push(String image) {
        return run(List.of("push", image), null);
    }

    public Result pull(String image) {
        return run(List.of("pull", image), null);
    }

    /** {@code docker rmi}: drops the local copy, so that a later pull has to fetch the image. */
    public Result remove(String image) {
        return run(List.of("rmi", image), null);
    }

    /**
     * Creates {@code image} in the daemon from a one-file tar ({@code docker import}, no network). The file
     * holds unique content, so every imported image has new layers and a push really uploads them.
     * Returns the image ID ({@code sha256:...}).
     */
    public String importImage(String image) {
        Path tar = workDir.resolve("import-" + UUID.randomUUID() + ".tar");
        try {
            Files.write(tar, OciImages.tar("hello.txt",
                    ("hello from " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run(List.of("import", tar.toString(), image), null).requireSuccess("import of " + image)
                .stdout().strip();
    }

    /** The local image's ID ({@code sha256:...}), or null when the daemon has no such image. */
    public String imageId(String image) {
        Result inspect = run(List.of("image", "inspect", "--format", "{{.Id}}", image), null);
        return inspect.succeeded() ? inspect.stdout().strip() : null;
    }

    /** The CLI's config.json as it is now (empty when the CLI has written none). */
    public JsonObject config() {
        Path file = configDir.resolve("config.json");
        try {
            return Files.exists(file) ? new JsonObject(Files.readString(file, StandardCharsets.UTF_8)) : new JsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config.json entry of {@code registry} under {@code auths}, or null. */
    public JsonObject savedAuth(String registry) {
        JsonObject auths = config().getJsonObject("auths");
        return auths == null ? null : auths.getJsonObject(registry);
    }

    /** Runs {@code /usr/bin/docker <args>} against this daemon, with {@code stdin} (or nothing) as input. */
    public Result run(List<String> args, String stdin) {
        int run = runs.incrementAndGet();
        Path stdout = workDir.resolve("docker-" + run + ".out");
        Path stderr = workDir.resolve("docker-" + run + ".err");
        List<String> command = new ArrayList<>(List.of(DOCKER.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", binDir.toString());
        env.put("HOME", home.toString());
        env.put("DOCKER_HOST", host());
        env.put("DOCKER_CONFIG", configDir.toString());
        String name = args.get(0);
        try {
            Process cli = builder.start();
            try (OutputStream in = cli.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!cli.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                cli.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("docker " + name + " did not finish within " + COMMAND_TIMEOUT
                        + "; stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new Result(name, cli.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run docker " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running docker " + name, e);
        }
    }

    /** Everything the daemon has logged so far. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    public String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private void awaitPing() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("dockerd exited with " + process.exitValue() + " before answering; log tail:\n"
                        + logTail(30));
            }
            try {
                String answer = ping();
                if (answer.startsWith("HTTP/1.") && answer.contains(" 200 ") && answer.endsWith("OK")) {
                    return;
                }
                last = answer.lines().findFirst().orElse("empty answer");
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("dockerd did not answer on " + socket + " within " + START_TIMEOUT + " (last: " + last
                + "); log tail:\n" + logTail(30));
    }

    /** One {@code GET /_ping} over the socket; HTTP/1.0, so the daemon closes the connection after answering. */
    private String ping() throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until the daemon closes
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        }
    }

    /** SIGTERM to dockerd (it stops its containerd), then SIGKILL to whatever of its tree is left. */
    private void stopTree(Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    /** Stops the daemon and deletes its data root, exec root and socket. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the daemon
            return;
        }
        stopTree(STOP_GRACE);
        deleteTree(runDir);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the daemon's directory " + root, e);
        }
    }
}
