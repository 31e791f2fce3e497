package io.registryauth.realm.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real distribution registry (Debian's {@code docker-registry}, distribution 2.8.2) configured for token
 * auth, running in a private directory on 127.0.0.1. A missing binary fails the test: CI must not pass
 * without the component it claims to test against.
 */
public final class RegistryProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 3;

    /** The registry's {@code auth.token} section. */
    public record TokenAuth(String realm, String service, String issuer, Path rootCertBundle) {}

    private final Path binary = Programs.require("docker-registry");
    private final Path config;
    private final Path log;
    private final int port;
    /** A file of {@code KEY='value'} lines whose REGISTRY_AUTH_TOKEN_* settings each start reads; or null. */
    private final Path envFile;
    /** Stops the registry if the test JVM is ended before {@link #close} (a CI timeout, a Ctrl-C). */
    private final Thread reaper;
    private volatile Process process;
    private int starts;

    private RegistryProcess(Path workDir, int port, TokenAuth auth, Path envFile, Path log) throws IOException {
        Files.createDirectories(workDir);
        this.config = Files.writeString(workDir.resolve("config.yml"), config(workDir, port, auth));
        this.log = log;
        this.port = port;
        this.envFile = envFile;
        this.reaper = new Thread(() -> {
            Process running = process;
            if (running != null) {
                running.destroyForcibly();
            }
        }, "docker-registry-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts a registry storing its data under {@code workDir} and waits until it challenges for a token. */
    public static RegistryProcess start(Path workDir, TokenAuth auth) throws IOException, InterruptedException {
        IllegalStateException last = null;
        // The free port is found before the registry binds it; another process may take it in between.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            RegistryProcess registry = new RegistryProcess(workDir, Programs.freePort(), auth, null,
                    workDir.resolve("registry-" + attempt + ".log"));
            try {
                registry.start();
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

    /**
     * A registry that takes its auth.token settings from the environment in {@code envFile} (the dev mode's
     * {@code registry.env}, as the README starts it), not yet started: its port is taken now, so its address
     * can be named before anything writes that file. Each {@link #start} reads the file again, as a
     * Deployment rollout picks up a changed ConfigMap.
     */
    public static RegistryProcess withEnvFile(Path workDir, Path envFile) throws IOException {
        return new RegistryProcess(workDir, Programs.freePort(), null, envFile, workDir.resolve("registry.log"));
    }

    /** Starts the registry and waits until it challenges for a token. */
    public void start() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .directory(config.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // REGISTRY_* variables override the config file; none of the machine's may leak in.
        builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
        if (envFile != null) {
            builder.environment().putAll(readEnv(envFile));
        }
        process = builder.start();
        starts++;
        awaitChallenge();
    }

    /** Stops the registry and starts it again. */
    public void restart() throws IOException, InterruptedException {
        Programs.stop(process, Duration.ofSeconds(10));
        start();
    }

    /** How many times the registry was started. */
    public int starts() {
        return starts;
    }

    /** The auth section is left out when the environment gives it. */
    private static String config(Path workDir, int port, TokenAuth auth) {
        List<String> lines = new ArrayList<>(List.of(
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
                "  secret: " + quote(HexFormat.of().formatHex(randomBytes()))));
        if (auth != null) {
            lines.addAll(List.of(
                    "auth:",
                    "  token:",
                    "    realm: " + quote(auth.realm()),
                    "    service: " + quote(auth.service()),
                    "    issuer: " + quote(auth.issuer()),
                    "    rootcertbundle: " + quote(auth.rootCertBundle().toString())));
        }
        lines.add("");
        return String.join("\n", lines);
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

    /** Parses the {@code KEY='value'} lines the dev mode writes (values single-quoted for the shell). */
    private static Map<String, String> readEnv(Path file) throws IOException {
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

    /** The skopeo reference of {@code repository:tag} on this registry. */
    public String docker(String repositoryAndTag) {
        return "docker://" + hostPort() + "/" + repositoryAndTag;
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
        Programs.stop(process, Duration.ofSeconds(10));
    }
}
