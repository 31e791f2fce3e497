package io.registryauth.realm.it.oidc;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.ParseException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak for the *IT suite: the distribution Maven unpacks before the integration tests (see
 * token-server/pom.xml) started in dev mode on 127.0.0.1 with realms imported from test resources, and
 * a few admin REST calls the tests need. Every start begins from an empty in-memory database.
 */
final class KeycloakServer implements AutoCloseable {
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "it-admin-password";
    /** About a minute on a quiet 2-core machine; several on one shared with other builds. */
    private static final Duration STARTUP_LIMIT = Duration.ofMinutes(8);

    private final Process process;
    private final Path log;
    private final int port;
    private final Duration startup;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private KeycloakServer(Process process, Path log, int port, Duration startup) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.startup = startup;
    }

    /** The unpacked distribution beside this build's test classes: {@code <build dir>/keycloak/keycloak-<version>}. */
    static Path home() {
        try {
            Path testClasses = Path.of(KeycloakServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path unpacked = testClasses.getParent().resolve("keycloak");
            try (Stream<Path> entries = Files.list(unpacked)) {
                List<Path> homes = entries.filter(p -> Files.isExecutable(p.resolve("bin/kc.sh"))).toList();
                if (homes.size() != 1) {
                    throw new IllegalStateException("expected one Keycloak distribution in " + unpacked + ", found " + homes);
                }
                return homes.get(0);
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("no Keycloak distribution: run the integration tests through `mvn verify`, "
                    + "which unpacks org.keycloak:keycloak-quarkus-dist into the build folder", e);
        }
    }

    /** Starts Keycloak with the given realm files (test resources beside this class) and waits for {@code readyRealm}. */
    static KeycloakServer start(Path home, List<String> realmResources, String readyRealm) throws Exception {
        Path data = home.resolve("data");
        deleteTree(data); // nothing of an earlier run (imports, transaction logs) leaks into this one
        Path imports = Files.createDirectories(data.resolve("import"));
        for (String resource : realmResources) {
            try (InputStream in = KeycloakServer.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource " + resource);
                }
                Files.copy(in, imports.resolve(resource), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        int port = freePort();
        Path log = home.resolve("keycloak-it.log");
        // An in-memory database: every start is a fresh realm, and no schema is written to disk.
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev", "--db=dev-mem",
                "--http-port", Integer.toString(port), "--http-host", "127.0.0.1", "--import-realm")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("KEYCLOAK_"));
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // C1 only: on two cores the optimizing compiler competes with start-up; measured 51 s instead of minutes.
        builder.environment().put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
        long started = System.nanoTime();
        KeycloakServer server = new KeycloakServer(builder.start(), log, port, null);
        try {
            server.awaitDiscovery(readyRealm);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return new KeycloakServer(server.process, log, port, Duration.ofNanos(System.nanoTime() - started));
    }

    Duration startup() {
        return startup;
    }

    String issuer(String realm) {
        return "http://127.0.0.1:" + port + "/realms/" + realm;
    }

    /** An access token from the resource-owner password grant of a public client. */
    String passwordGrant(String realm, String clientId, String username, String password) throws Exception {
        Map<String, Object> answer = postForm(issuer(realm) + "/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", clientId, "username", username, "password", password,
                        "scope", "openid"));
        Object token = answer.get("access_token");
        if (!(token instanceof String s)) {
            throw new IllegalStateException("Keycloak gave no access token for " + username + ": " + answer.get("error"));
        }
        return s;
    }

    /**
     * An access token from the client-credentials grant of a confidential client: what a workload (a
     * simulated CI job, its claims set by the client's mappers) presents.
     */
    String clientCredentials(String realm, String clientId, String secret) throws Exception {
        Map<String, Object> answer = postForm(issuer(realm) + "/protocol/openid-connect/token",
                Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
        Object token = answer.get("access_token");
        if (!(token instanceof String s)) {
            throw new IllegalStateException("Keycloak gave no access token to " + clientId + ": " + answer.get("error"));
        }
        return s;
    }

    /** Enables or disables a user through the admin REST API. */
    void setUserEnabled(String realm, String username, boolean enabled) throws Exception {
        String admin = passwordGrant("master", "admin-cli", ADMIN, ADMIN_PASSWORD);
        String base = "http://127.0.0.1:" + port + "/admin/realms/" + realm + "/users";
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base + "?exact=true&username="
                        + URLEncoder.encode(username, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + admin).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        List<Object> users = JSONObjectUtils.parse("{\"users\":" + found.body() + "}").get("users") instanceof List<?> l
                ? List.copyOf(l) : List.of();
        if (found.statusCode() != 200 || users.size() != 1) {
            throw new IllegalStateException("user " + username + " not found: HTTP " + found.statusCode());
        }
        String id = (String) ((Map<?, ?>) users.get(0)).get("id");
        HttpResponse<String> updated = http.send(HttpRequest.newBuilder(URI.create(base + "/" + id))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":" + enabled + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (updated.statusCode() != 204) {
            throw new IllegalStateException("updating " + username + " failed: HTTP " + updated.statusCode());
        }
    }

    private Map<String, Object> postForm(String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        try {
            return JSONObjectUtils.parse(response.body());
        } catch (ParseException e) {
            throw new IllegalStateException("Keycloak answered HTTP " + response.statusCode() + " with no JSON object");
        }
    }

    private void awaitDiscovery(String realm) throws Exception {
        URI discovery = URI.create(issuer(realm) + "/.well-known/openid-configuration");
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + ":\n" + logTail(60));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Keycloak did not serve " + discovery + " within " + STARTUP_LIMIT + ":\n"
                + logTail(60));
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
