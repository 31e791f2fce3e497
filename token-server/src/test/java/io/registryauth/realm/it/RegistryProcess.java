package io.registryauth.realm.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real distribution registry (Debian's {@code docker-registry}, distribution 2.8.2) configured for token
 * auth, running in a private directory on 127.0.0.1. A missing binary fails the test: CI must not pass
 * without the component it claims to test against.
 */
public final class RegistryProcess implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 3;

    /** The registry's {@code auth.token} section. */
    public record TokenAuth(String realm, String service, String issuer, Path rootCertBundle) {}

    private final Process process;
    private final Path log;
    private final int port;
    /** Stops the registry if the test JVM is ended before {@link #close} (a CI timeout, a Ctrl-C). */
    private final Thread reaper;

    private RegistryProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.reaper = new Thread(process::destroyForcibly, "docker-registry-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts a registry storing its data under {@code workDir} and waits until it challenges for a token. */
    public static RegistryProcess start(Path workDir, TokenAuth auth) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("docker-registry not found: apt-get install -y docker-registry");
        }
        Files.createDirectories(workDir);
        IllegalStateException last = null;
        // The free port is found before the registry binds it; another process may take it in between.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path config = workDir.resolve("config.yml");
            Files.writeString(config, config(workDir, port, auth));
            Path log = workDir.resolve("registry-" + attempt + ".log");
            ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // REGISTRY_* variables override the config file; none of the machine's may leak in.
            builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
            RegistryProcess registry = new RegistryProcess(builder.start(), log, port);
            try {
                registry.awaitChallenge();
                return registry;
            } catch (IllegalStateException e) {
                registry.close();
                last = e;
                if (!registry.logText().contains("address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static String config(Path workDir, int port, TokenAuth auth) {
        return String.join("\n",
                "version: 0.1",
                "log:",
                "  level: info",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + quote(workDir.resolve("storage").toString()),
                "  delete:",
                "    enabled: true",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: " + quote("127.0.0.1:" + port),
                "  secret: " + quote(HexFormat.of().formatHex(randomBytes())),
                "auth:",
                "  token:",
                "    realm: " + quote(auth.realm()),
                "    service: " + quote(auth.service()),
                "    issuer: " + quote(auth.issuer()),
                "    rootcertbundle: " + quote(auth.rootCertBundle().toString()),
                "");
    }

    /** A YAML double-quoted scalar; the values here are paths, URLs and plain names. */
    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitChallenge() throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(2)).GET().build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        String lastAnswer = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue()
                        + " before answering; log tail:\n" + logTail(20));
            }
            try {
                HttpResponse<String> response = client.send(probe, HttpResponse.BodyHandlers.ofString());
                Optional<String> challenge = response.headers().firstValue("WWW-Authenticate");
                if (response.statusCode() == 401 && challenge.filter(c -> c.startsWith("Bearer ")).isPresent()) {
                    return;
                }
                lastAnswer = response.statusCode() + " " + challenge.orElse("(no challenge)");
            } catch (ConnectException e) {
                lastAnswer = "connection refused";
            } catch (IOException e) {
                lastAnswer = e.toString();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not challenge for a token within " + START_TIMEOUT
                + " (last answer: " + lastAnswer + "); log tail:\n" + logTail(20));
    }

    /** {@code 127.0.0.1:<port>}, as image references and token scopes name this registry. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public URI uri(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    /** Everything the registry has logged so far (its log holds no secrets: tokens are not logged). */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** The log lines that contain every one of {@code fragments}. */
    public List<String> logLines(String... fragments) {
        return logText().lines().filter(line -> Arrays.stream(fragments).allMatch(line::contains)).toList();
    }

    public String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the process
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
