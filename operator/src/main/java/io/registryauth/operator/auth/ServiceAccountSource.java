package io.registryauth.operator.auth;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.sources.IdentitySource;
import io.registryauth.realm.auth.Authenticator;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes service accounts ({@code spec.authentication.serviceAccounts}): pods log in with their projected
 * token, which the API server the operator talks to reviews. The realm keeps a {@link ServiceAccountLogin}
 * where the RegistryAuth enables it, and none otherwise.
 */
public final class ServiceAccountSource implements IdentitySource {
    @Override
    public Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems) {
        var spec = in.auth().getSpec();
        return spec == null || spec.getAuthentication() == null ? Optional.empty()
                : ServiceAccountLogin.of(spec.getAuthentication().getServiceAccounts()).map(login -> login);
    }

    @Override
    public Authenticator authenticator(KubernetesClient client) {
        return new ServiceAccountAuthenticator(client, ServiceAccountAuthenticator.Settings.defaults());
    }
}
