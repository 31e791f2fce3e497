package io.registryauth.cli.it;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.registryauth.realm.it.Programs;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak (the distribution the build unpacks from Maven Central) in dev mode on 127.0.0.1,
 * started with the repository's example realm ({@code manifests/examples/keycloak/corp-realm.json}),
 * its access-token lifespan shortened for the expiry tests. In-memory database: every start is fresh.
 */
final class Keycloak implements AutoCloseable {
    static final String REALM = "corp";
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "it-admin-password";
    private static final Duration STARTUP_LIMIT = Duration.ofMinutes(8);

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Keycloak(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static Keycloak start(int accessTokenLifespanSeconds) throws Exception {
        Path home = home();
        Path data = home.resolve("data");
        deleteTree(data);
        Path imports = Files.createDirectories(data.resolve("import"));
        Map<String, Object> realm = JSONObjectUtils.parse(Files.readString(realmFile()));
        realm.put("accessTokenLifespan", accessTokenLifespanSeconds);
        Files.writeString(imports.resolve("corp-realm.json"), JSONObjectUtils.toJSONString(realm));
        int port = Programs.freePort();
        Path log = home.resolve("keycloak-cli-it.log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev", "--db=dev-mem",
                "--http-port", Integer.toString(port), "--http-host", "127.0.0.1", "--import-realm")
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("KEYCLOAK_"));
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        builder.environment().put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
        Keycloak keycloak = new Keycloak(builder.start(), log, port);
        try {
            keycloak.awaitDiscovery();
        } catch (Exception e) {
            keycloak.close();
            throw e;
        }
        return keycloak;
    }

    static Path realmFile() {
        return Path.of(System.getProperty("registryauth.realm.file",
                "../manifests/examples/keycloak/corp-realm.json"));
    }

    private static Path home() throws IOException {
        Path unpacked = Path.of(System.getProperty("registryauth.keycloak.dir", "target/keycloak"));
        try (Stream<Path> entries = Files.list(unpacked)) {
            List<Path> homes = entries.filter(p -> Files.isExecutable(p.resolve("bin/kc.sh"))).toList();
            if (homes.size() != 1) {
                throw new IllegalStateException("expected one Keycloak distribution in " + unpacked + ", found " + homes);
            }
            return homes.get(0);
        }
    }

    String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    /** What Keycloak's admin does to end all of a user's sessions (admin console: Users, Sessions, Sign out). */
    void endSessions(String username) throws Exception {
        String admin = adminToken();
        String id = userId(admin, username);
        HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create(adminBase() + "/users/" + id + "/logout"))
                .header("Authorization", "Bearer " + admin).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (out.statusCode() != 204) {
            throw new IllegalStateException("logging " + username + " out failed: HTTP " + out.statusCode());
        }
    }

    /** The token endpoint's answer to a refresh grant with {@code refreshToken}: status and error. */
    Map<String, Object> refresh(String clientId, String refreshToken) throws Exception {
        return postForm(issuer() + "/protocol/openid-connect/token",
                Map.of("grant_type", "refresh_token", "client_id", clientId, "refresh_token", refreshToken));
    }

    private String adminBase() {
        return "http://127.0.0.1:" + port + "/admin/realms/" + REALM;
    }

    private String adminToken() throws Exception {
        Map<String, Object> answer = postForm("http://127.0.0.1:" + port + "/realms/master/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", "admin-cli", "username", ADMIN, "password", ADMIN_PASSWORD));
        return (String) answer.get("access_token");
    }

    private String userId(String admin, String username) throws Exception {
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(adminBase() + "/users?exact=true&username="
                        + URLEncoder.encode(username, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + admin).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        Object users = JSONObjectUtils.parse("{\"u\":" + found.body() + "}").get("u");
        if (found.statusCode() != 200 || !(users instanceof List<?> list) || list.size() != 1) {
            throw new IllegalStateException("user " + username + " not found: HTTP " + found.statusCode());
        }
        return (String) ((Map<?, ?>) list.get(0)).get("id");
    }

    private Map<String, Object> postForm(String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> json = JSONObjectUtils.parse(response.body());
        json.put("httpStatus", response.statusCode());
        return json;
    }

    private void awaitDiscovery() throws Exception {
        URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Keycloak did not start within " + STARTUP_LIMIT + ":\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
