package io.registryauth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker credential-helper protocol against a small token endpoint on 127.0.0.1 that plays the
 * provider (Keycloak plays it in LoginIT): cached answers, refreshes, shared refreshes, ended sessions.
 */
class CredentialHelperTest {
    static final String REGISTRY = "registry.example.com";

    @TempDir
    Path dir;
    HttpServer provider;
    final AtomicInteger refreshes = new AtomicInteger();
    /** What the token endpoint answers: status and body. */
    final AtomicReference<Map.Entry<Integer, String>> answer = new AtomicReference<>();
    Store store;

    @BeforeEach
    void startProvider() throws Exception {
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/token", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = refreshes.incrementAndGet();
            Map.Entry<Integer, String> reply = answer.get();
            String body = reply != null ? reply.getValue() : form.contains("refresh_token=refresh-1")
                    ? "{\"access_token\":\"access-" + (n + 1) + "\",\"expires_in\":300,\"refresh_token\":\"refresh-2\","
                    + "\"refresh_expires_in\":1800}" : "{\"error\":\"invalid_grant\"}";
            try {
                Thread.sleep(100); // long enough for concurrent callers to pile up behind the lock
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply != null ? reply.getKey() : body.contains("error") ? 400 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        provider.setExecutor(Executors.newFixedThreadPool(4));
        provider.start();
        store = new Store(dir.resolve("config"));
    }

    @AfterEach
    void stopProvider() {
        provider.stop(0);
    }

    Session session(String access, long obtained, long expires) {
        return new Session(REGISTRY, "https://auth.example.com/token", "registry.example.com", "corp",
                "https://idp.example.com", "registry-cli",
                "http://127.0.0.1:" + provider.getAddress().getPort() + "/token", null, "alice", List.of("developers"),
                access, obtained, expires, "refresh-1", 0, List.of());
    }

    record Run(int status, String out) {}

    Run helper(String action, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Clock clock = Clock.systemUTC();
        int status = new CredentialHelper(store, new Refresher(store, clock, () -> new OAuth(new Http(), clock)))
                .run(new String[] {action}, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                        new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    @Test
    void unknownRegistriesAreNotFoundInTheWordsClientsExpect() {
        assertThat(helper("get", "other.example.com")).isEqualTo(new Run(1, "credentials not found in native keychain\n"));
        assertThat(helper("erase", "other.example.com")).isEqualTo(new Run(1, "credentials not found in native keychain\n"));
        assertThat(helper("list", "")).isEqualTo(new Run(0, "{}\n"));
        assertThat(helper("version", "")).isEqualTo(new Run(0, "registry-auth 0.1.0\n"));
        assertThat(helper("bogus", "").status()).isEqualTo(1);
    }

    @Test
    void aFreshTokenIsAnsweredFromTheStoreWithoutAskingTheProvider() throws Exception {
        store.save(session("access-1", now(), now() + 300));
        Run get = helper("get", "https://registry.example.com/v2/\n");
        assertThat(get.status()).isZero();
        assertThat(JSONObjectUtils.parse(get.out())).isEqualTo(Map.of("ServerURL", "https://registry.example.com/v2/",
                "Username", "alice", "Secret", "access-1"));
        assertThat(refreshes).hasValue(0);
        assertThat(helper("list", "").out()).isEqualTo("{\"registry.example.com\":\"alice\"}\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dir()))).isEqualTo("rwx------");
    }

    @Test
    void aTokenExpiringWithinAMinuteIsRefreshedAndTheRotatedRefreshTokenKept() {
        store.save(session("access-1", now() - 250, now() + 50));
        Run get = helper("get", REGISTRY);
        assertThat(get.status()).as(get.out()).isZero();
        assertThat(get.out()).contains("\"Secret\":\"access-2\"");
        Session stored = store.load(REGISTRY);
        assertThat(stored.accessToken()).isEqualTo("access-2");
        assertThat(stored.refreshToken()).isEqualTo("refresh-2");
        assertThat(stored.sessionExpiresAt()).isBetween(now() + 1790, now() + 1800);
        assertThat(stored.accessExpiresAt()).isBetween(now() + 290, now() + 300);
    }

    @Test
    void shortLivedTokensAreReusedForHalfTheirLifetime() {
        store.save(session("access-1", now() - 5, now() + 10)); // a 15 s token, 10 s left
        assertThat(helper("get", REGISTRY).out()).contains("access-1");
        store.save(session("access-1", now() - 10, now() + 5)); // 5 s left: renewed
        assertThat(helper("get", REGISTRY).out()).contains("access-2");
        assertThat(refreshes).hasValue(1);
    }

    @Test
    void concurrentGetsShareOneRefresh() throws Exception {
        store.save(session("access-1", now() - 300, now() - 1));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(pool.submit(() -> helper("get", REGISTRY)));
            }
            Set<String> outs = new HashSet<>();
            for (Future<Run> run : runs) {
                assertThat(run.get().status()).isZero();
                outs.add(run.get().out());
            }
            assertThat(outs).hasSize(1);
            assertThat(refreshes).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anEndedSessionNamesTheLoginCommandAndNoToken() {
        Session stale = session("access-1", now() - 300, now() - 1);
        store.save(stale.withTokens("access-1", now() - 300, now() - 1, "revoked-refresh", 0));
        Run get = helper("get", REGISTRY);
        assertThat(get.status()).isEqualTo(1);
        assertThat(get.out()).isEqualTo("the sign-in for registry.example.com has ended (the provider refused the"
                + " refresh: invalid_grant); run `registry-auth login registry.example.com`\n");
    }

    @Test
    void otherProviderErrorsAreReportedAsErrorsNotAsEndedSessions() {
        store.save(session("access-1", now() - 300, now() - 1));
        answer.set(Map.entry(503, "<html>down</html>"));
        Run get = helper("get", REGISTRY);
        assertThat(get.status()).isEqualTo(1);
        assertThat(get.out()).startsWith("the provider answered HTTP 503").doesNotContain("native keychain");
    }

    @Test
    void storeIsRefusedAndEraseForgetsTheSignIn() {
        store.save(session("access-1", now(), now() + 300));
        Run stored = helper("store", "{\"ServerURL\":\"registry.example.com\",\"Username\":\"x\",\"Secret\":\"y\"}");
        assertThat(stored.status()).isEqualTo(1);
        assertThat(stored.out()).contains("registry-auth login");
        assertThat(helper("erase", "registry.example.com\n").status()).isZero();
        assertThat(store.load(REGISTRY)).isNull();
    }
}
