package io.registryauth.operator.dev;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * The Kubernetes API of dev mode: Fabric8's mock server in CRUD mode on 127.0.0.1, plain HTTP. It stores
 * whatever it is sent and serves watches, which is all the operator and the feed need without a cluster.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    /** The mock server logs every request at INFO through java.util.logging; held so the level sticks. */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private EmbeddedApiServer(KubernetesMockServer server) {
        this.server = server;
        this.client = server.createClient();
    }

    /** Starts the server on 127.0.0.1 at {@code port} (0 = any free port). */
    public static EmbeddedApiServer start(int port) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new EmbeddedApiServer(server);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client for this server; owned by this object and closed with it. */
    public KubernetesClient client() {
        return client;
    }

    /** Writes a kubeconfig that points kubectl (or any client) at this server, namespace "default". */
    public void writeKubeconfig(Path file) throws IOException {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: registry-auth-dev
                  cluster:
                    server: %s
                users:
                - name: registry-auth-dev
                  user: {}
                contexts:
                - name: registry-auth-dev
                  context:
                    cluster: registry-auth-dev
                    user: registry-auth-dev
                    namespace: default
                current-context: registry-auth-dev
                """.formatted(url());
        StateFiles.write(file, kubeconfig);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
