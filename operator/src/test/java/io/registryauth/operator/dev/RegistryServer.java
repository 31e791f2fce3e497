package io.registryauth.operator.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * distribution's {@code docker-registry serve config.yml} with the auth.token settings taken from a dev-mode
 * {@code registry.env}, the way the README says to start it. {@link #restart} re-reads the env file, as a
 * Deployment rollout picks up a changed ConfigMap.
 */
final class RegistryServer implements AutoCloseable {
    private final Path binary = Programs.require("docker-registry");
    private final Path dir;
    private final Path envFile;
    private final int port;
    private Process process;
    private int starts;

    RegistryServer(Path dir, Path envFile) throws IOException {
        this.dir = dir;
        this.envFile = envFile;
        this.port = Programs.freePort();
        Files.createDirectories(dir.resolve("storage"));
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                  secret: registry-auth-dev-mode-it
                """.formatted(dir.resolve("storage"), port));
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    int starts() {
        return starts;
    }

    void start() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile()));
        builder.environment().putAll(readEnv(envFile));
        process = builder.start();
        starts++;
        Programs.awaitPort(port, Duration.ofSeconds(30), process);
    }

    void restart() throws IOException, InterruptedException {
        Programs.stop(process, Duration.ofSeconds(10));
        start();
    }

    String log() throws IOException {
        Path log = dir.resolve("registry.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Parses the KEY='value' lines dev mode writes (values single-quoted for the shell). */
    static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("'\\''", "'");
            }
            env.put(line.substring(0, eq), value);
        }
        return env;
    }

    @Override
    public void close() throws InterruptedException {
        Programs.stop(process, Duration.ofSeconds(10));
    }
}
