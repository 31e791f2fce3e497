package io.registryauth.cli.it;

import io.registryauth.realm.it.Programs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One developer's machine in a private directory: HOME, the registry-auth store, docker's config, the
 * containers auth file and a bin directory on PATH. Runs the real jar and the real clients there.
 */
final class Workstation {
    private Path podmanDir;
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    record Result(int exitCode, String stdout, String stderr) {
        Result requireSuccess(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed with exit code " + exitCode + ":\nstdout: " + stdout
                        + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    /** A command still running, its output going to files. */
    final class Running {
        final Process process;
        final Path stdout;
        final Path stderr;

        Running(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** Waits for {@code pattern} in stderr and returns its first group. */
        String awaitStderr(Pattern pattern) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Matcher m = pattern.matcher(Files.readString(stderr));
                if (m.find()) {
                    return m.group(1);
                }
                if (!process.isAlive()) {
                    throw new AssertionError("exited with " + process.exitValue() + " before printing " + pattern
                            + ":\n" + Files.readString(stderr) + Files.readString(stdout));
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no " + pattern + " within " + TIMEOUT + ":\n" + Files.readString(stderr));
        }

        Result await() throws Exception {
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("did not finish:\n" + Files.readString(stderr));
            }
            return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        }
    }

    final Path root;
    final Path home;
    final Path configDir;
    final Path dockerConfigDir;
    final Path authFile;
    final Path bin;
    private final Path policy;
    private final Path registriesConf;
    private final AtomicInteger runs = new AtomicInteger();

    Workstation(Path root) throws IOException {
        this(root, null, null);
    }

    /** A machine whose docker config and bin directory are given (those of a {@code DockerDaemon}'s CLI). */
    Workstation(Path root, Path dockerConfigDir, Path bin) throws IOException {
        this.root = Files.createDirectories(root);
        this.home = Files.createDirectories(root.resolve("home"));
        this.configDir = home.resolve(".config/registry-auth");
        this.dockerConfigDir = dockerConfigDir != null ? dockerConfigDir : home.resolve(".docker");
        this.authFile = home.resolve("run/containers/auth.json");
        this.bin = bin != null ? bin : home.resolve(".local/bin");
        Files.createDirectories(home.resolve("run"));
        Files.createDirectories(home.resolve("tmp"));
        this.policy = Files.writeString(root.resolve("policy.json"),
                "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
        this.registriesConf = Files.writeString(root.resolve("registries.conf"), "unqualified-search-registries = []\n");
    }

    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
        env.put("TMPDIR", home.resolve("tmp").toString());
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        if (!dockerConfigDir.equals(home.resolve(".docker"))) {
            env.put("DOCKER_CONFIG", dockerConfigDir.toString());
        }
        return env;
    }

    /** {@code java -jar registry-auth.jar <args>}, started. */
    Running start(List<String> command, String stdin) throws IOException {
        int run = runs.incrementAndGet();
        Path out = root.resolve("run-" + run + ".out");
        Path err = root.resolve("run-" + run + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env());
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        return new Running(process, out, err);
    }

    Running cli(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        return start(command, null);
    }

    Result registryAuth(String... args) throws Exception {
        return cli(args).await();
    }

    /** The installed docker credential helper, as docker and containers/image run it. */
    Result helper(String action, String stdin) throws Exception {
        return start(List.of(bin.resolve("docker-credential-registry-auth").toString(), action), stdin).await();
    }

    /** skopeo with this machine's auth file and nothing else of the machine's configuration. */
    Result skopeo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Programs.require("skopeo").toString(), "--policy",
                policy.toString(), "--command-timeout", "90s"));
        command.addAll(List.of(args));
        return start(command, null).await();
    }

    /**
     * podman with this machine's auth file (found, as skopeo finds it, under XDG_RUNTIME_DIR) and storage of
     * its own: vfs, cgroupfs and file events, so it needs neither systemd nor overlay mounts.
     */
    Result podman(String... args) throws Exception {
        if (podmanDir == null) {
            // podman refuses a runroot longer than 50 characters: a short directory of its own under /tmp,
            // removed when the test JVM ends.
            podmanDir = Files.createTempDirectory(Path.of("/tmp"), "pdm-");
            Path dir = podmanDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (java.io.IOException e) {
                    // Best effort: /tmp is the test machine's.
                }
            }));
        }
        List<String> command = new ArrayList<>(List.of(Programs.require("podman").toString(),
                "--root", podmanDir.resolve("root").toString(), "--runroot", podmanDir.resolve("run").toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
        command.addAll(List.of(args));
        if (args.length > 0 && args[0].equals("pull")) {
            command.addAll(command.indexOf("pull") + 1, List.of("--signature-policy", policy.toString()));
        }
        return start(command, null).await();
    }

    static Path jar() {
        return Path.of(System.getProperty("registryauth.cli.jar", "target/registry-auth.jar"));
    }
}
