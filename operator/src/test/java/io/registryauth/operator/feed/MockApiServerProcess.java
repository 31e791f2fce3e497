package io.registryauth.operator.feed;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.operator.dev.EmbeddedApiServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A mock API server in a JVM of its own, so that what a benchmark measures in its own heap (or in another
 * process) is the client side only. {@link #main} fills the server ({@link StartupAtScaleBenchmark#fill} or
 * {@link ClusterModeMemoryBenchmark#fill}), prints {@code PORT <n>} and serves until its standard input
 * closes.
 */
final class MockApiServerProcess implements AutoCloseable {
    /** The mock server logs every request at INFO; held so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private final Process process;
    private final int port;

    private MockApiServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server holding {@code good} good and {@code bad} unreadable grants; returns once it is filled. */
    static MockApiServerProcess start(int good, int bad) throws Exception {
        return start("startup", Integer.toString(good), Integer.toString(bad));
    }

    /**
     * Starts a server filled as {@link ClusterModeMemoryBenchmark#fill} does: one RegistryAuth without keys,
     * {@code users} htpasswd users, {@code grants} user grants and {@code robots} robot grants.
     */
    static MockApiServerProcess cluster(int grants, int users, int robots) throws Exception {
        return start("cluster", Integer.toString(grants), Integer.toString(users), Integer.toString(robots));
    }

    private static MockApiServerProcess start(String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), MockApiServerProcess.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                return new MockApiServerProcess(process, Integer.parseInt(line.substring(5).trim()));
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the mock API server process ended before it served");
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws Exception {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        // The dev mode's API server: the mock server with its lookups by name indexed, as an API server's are
        // (the plain mock server scans every stored object on each write, and would be what is measured).
        EmbeddedApiServer server = EmbeddedApiServer.start(0);
        KubernetesClient client = server.client();
        if (args[0].equals("cluster")) {
            ClusterModeMemoryBenchmark.fill(client, Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]));
        } else {
            StartupAtScaleBenchmark.fill(client, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        }
        System.out.println("PORT " + java.net.URI.create(server.url()).getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our standard input
        }
        server.close();
    }
}
