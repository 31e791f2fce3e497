package io.registryauth.operator.dev;

import io.registryauth.realm.it.Programs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code java -jar registry-auth-operator.jar dev ...} as a child process: the README's command, unchanged. */
final class DevModeProcess implements AutoCloseable {
    static final String JAR_PROPERTY = "registryauth.operator.jar";

    private final Process process;
    private final Path log;
    private final int port;

    private DevModeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static Path jar() {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new AssertionError("the operator jar (system property " + JAR_PROPERTY + " = " + jar
                    + ") is missing; run the ITs through mvn verify, which builds it in the package phase");
        }
        return Path.of(jar);
    }

    static DevModeProcess start(Path manifests, Path stateDir, Path log) throws IOException, InterruptedException {
        int port = Programs.freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-jar", jar().toString(), "dev",
                "--manifests", manifests.toString(), "--state-dir", stateDir.toString(), "--port",
                Integer.toString(port)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DevModeProcess dev = new DevModeProcess(process, log, port);
        Programs.awaitPort(port, Duration.ofSeconds(120), process);
        return dev;
    }

    String realmUrl() {
        return "http://127.0.0.1:" + port + "/token";
    }

    Process process() {
        return process;
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        Programs.stop(process, Duration.ofSeconds(30));
    }
}
