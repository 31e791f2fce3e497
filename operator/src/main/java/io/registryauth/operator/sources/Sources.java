package io.registryauth.operator.sources;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.operator.auth.ServiceAccountSource;
import io.registryauth.realm.auth.Authenticator;
import java.util.List;

/**
 * The identity sources, registered here once. The order is the order in which the token server asks who
 * owns a credential: JWTs naming a workload-identity issuer first (a CI job's token goes to its provider and is
 * shown to no other source, whatever the username), then robot names ({@code robot$...}), then JWTs naming a
 * configured identity provider, then
 * service-account tokens, then htpasswd user names, then directory users (prefixed names, or bare names
 * nobody before owns); opaque tokens nobody owns are left for introspection.
 */
public final class Sources {
    public static final List<IdentitySource> ALL = List.of(
            new WorkloadSource(),
            new RobotSource(),
            new OidcSource(),
            new ServiceAccountSource(),
            new HtpasswdSource(),
            new LdapSource());

    private Sources() {
    }

    /** The token server's authenticators, one per source, in registration order. */
    public static List<Authenticator> authenticators(KubernetesClient client) {
        return ALL.stream().map(source -> source.authenticator(client)).toList();
    }
}
