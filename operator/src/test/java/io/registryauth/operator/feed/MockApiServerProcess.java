package io.registryauth.operator.feed;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.registryauth.operator.Clients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A mock API server in a JVM of its own, so that what a benchmark measures in its own heap is the client
 * side only. {@link #main} fills the server ({@link StartupAtScaleBenchmark#fill}), prints {@code PORT <n>}
 * and serves until its standard input closes.
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
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                MockApiServerProcess.class.getName(), Integer.toString(good), Integer.toString(bad))
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
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient(Clients::configure)) {
            StartupAtScaleBenchmark.fill(client, Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        }
        System.out.println("PORT " + server.getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our standard input
        }
        server.destroy();
    }
}
