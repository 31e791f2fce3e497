package io.registryauth.operator.sources;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.model.RobotSecret;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.RobotCredentials;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Robots: the generated credentials of enforced grants with {@code spec.credentials}, read from the hashes
 * the operator wrote beside the password in each grant's pull Secret. No robot until that Secret exists; a
 * grant that is not enforced has none.
 */
public final class RobotSource implements IdentitySource {
    @Override
    public Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems) {
        Map<String, RobotCredentials> robots = new HashMap<>();
        for (RepositoryAccess grant : in.enforcedGrants()) {
            if (grant.getSpec().getCredentials() == null) {
                continue;
            }
            String key = ResourceNames.key(grant.getMetadata().getNamespace(),
                    grant.getSpec().getCredentials().getSecretName());
            RobotSecret.credentials(grant, in.robotSecrets().get(key)).ifPresent(robot -> robots.put(robot.name(), robot));
        }
        return Optional.of(new RealmConfig.Robots(robots));
    }

    @Override
    public Authenticator authenticator(KubernetesClient client) {
        return new RobotAuthenticator();
    }
}
