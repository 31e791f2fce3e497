package io.registryauth.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.operator.sources.Sources;
import io.registryauth.realm.http.TokenServer;

/** How the operator's token server runs, the same in a cluster and in dev mode. */
public final class TokenServerOptions {
    private TokenServerOptions() {
    }

    /**
     * The token server's defaults with one authenticator per registered identity source ({@link Sources#ALL},
     * in its order); {@code client} is the API server service-account tokens are reviewed by.
     */
    public static TokenServer.Options standard(KubernetesClient client) {
        return TokenServer.Options.defaults().withAuthenticators(Sources.authenticators(client));
    }
}
