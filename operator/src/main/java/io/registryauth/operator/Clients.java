package io.registryauth.operator;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.registryauth.operator.tolerance.TolerantSerialization;

/** How every Kubernetes client of the operator is built: production, dev mode and tests alike. */
public final class Clients {
    private Clients() {
    }

    /**
     * The Vert.x HTTP transport (two factories are on the classpath, the mock server brings the JDK one) and
     * the serialization that reads one bad custom resource without failing its whole list.
     */
    public static KubernetesClientBuilder configure(KubernetesClientBuilder builder) {
        return builder.withHttpClientFactory(new VertxHttpClientFactory())
                .withKubernetesSerialization(TolerantSerialization.create());
    }
}
