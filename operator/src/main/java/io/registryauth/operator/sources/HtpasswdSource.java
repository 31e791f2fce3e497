package io.registryauth.operator.sources;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.AuthenticationSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.SecretSource;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Htpasswd;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Static users: {@code spec.authentication.htpasswd} (bcrypt only) and the optional groups file. A missing or
 * unreadable Secret leaves the realm without static users, reported as {@value #USERS_UNAVAILABLE}; a
 * RegistryAuth without htpasswd has none.
 */
public final class HtpasswdSource implements IdentitySource {
    public static final String USERS_UNAVAILABLE = "UsersUnavailable";

    @Override
    public Set<String> secretNames(RegistryAuth auth) {
        Set<String> names = new LinkedHashSet<>();
        AuthenticationSpec authentication = authentication(auth);
        if (authentication != null) {
            for (SecretSource source : new SecretSource[] {authentication.getHtpasswd(), authentication.getGroups()}) {
                if (source != null && source.getSecretRef() != null && source.getSecretRef().getName() != null) {
                    names.add(source.getSecretRef().getName());
                }
            }
        }
        return names;
    }

    @Override
    public Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems) {
        AuthenticationSpec authentication = authentication(in.auth());
        if (authentication == null || authentication.getHtpasswd() == null) {
            return Optional.empty();
        }
        Optional<String> htpasswd = SecretValues.read(in.secrets(), authentication.getHtpasswd().getSecretRef(),
                "htpasswd", USERS_UNAVAILABLE, problems);
        if (htpasswd.isEmpty()) {
            return Optional.empty();
        }
        String groups = null;
        if (authentication.getGroups() != null) {
            Optional<String> content = SecretValues.read(in.secrets(), authentication.getGroups().getSecretRef(),
                    "groups", USERS_UNAVAILABLE, problems);
            if (content.isEmpty()) {
                return Optional.empty();
            }
            groups = content.get();
        }
        // A bad line costs that line only; Htpasswd's messages name the line and the user, never a hash.
        Htpasswd.Parsed parsed = Htpasswd.read(htpasswd.get(), groups);
        if (!parsed.problems().isEmpty()) {
            // One problem naming every skipped line, so a status that shows one problem shows them all.
            problems.add(new GrantModel.Problem(USERS_UNAVAILABLE, String.join("; ", parsed.problems())));
        }
        return Optional.of(new RealmConfig.StaticUsers(parsed.users()));
    }

    @Override
    public Authenticator authenticator(KubernetesClient client) {
        return new HtpasswdAuthenticator();
    }

    private static AuthenticationSpec authentication(RegistryAuth auth) {
        return auth.getSpec() == null ? null : auth.getSpec().getAuthentication();
    }
}
