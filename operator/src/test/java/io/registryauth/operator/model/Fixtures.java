package io.registryauth.operator.model;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.api.v1alpha1.SecretSource;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.ResourceScope;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Custom resources and Secrets as a user (or the operator) would write them, for model and feed tests. */
public final class Fixtures {
    public static final String SERVICE = "registry.example.com";

    private Fixtures() {
    }

    public static RegistryAuth registryAuth(String namespace, String name) {
        RegistryAuth auth = new RegistryAuth();
        auth.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        auth.getSpec().setService(SERVICE);
        auth.getSpec().getAuthentication().setHtpasswd(
                new SecretSource(new SecretKeyReference("registry-users", "htpasswd")));
        return auth;
    }

    public static RepositoryAccess grant(String namespace, String name, String user, List<String> repositories,
                                         RepositoryAction... actions) {
        RepositoryAccess grant = new RepositoryAccess();
        grant.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        grant.getSpec().setRegistry(new RegistryRef("main", "registry"));
        grant.getSpec().setSubjects(List.of(new GrantSubject(GrantSubject.Kind.USER, user, null)));
        grant.getSpec().setRepositories(List.copyOf(repositories));
        grant.getSpec().setActions(List.of(actions));
        return grant;
    }

    /** A grant that exists only for its robot: credentials, no subjects. */
    public static RepositoryAccess robotGrant(String namespace, String name, String secretName,
                                              List<String> repositories, RepositoryAction... actions) {
        RepositoryAccess grant = grant(namespace, name, "unused", repositories, actions);
        grant.getSpec().setSubjects(List.of());
        grant.getSpec().setCredentials(new CredentialsSpec(secretName));
        return grant;
    }

    /** A pull Secret as the operator writes it, annotated with {@code hash} (and a previous hash if given). */
    public static Secret pullSecret(RepositoryAccess grant, String hash, String previousHash, Instant previousUntil) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(ResourceNames.PASSWORD_HASH_ANNOTATION, hash);
        if (previousHash != null) {
            annotations.put(ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION, previousHash);
            annotations.put(ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION, previousUntil.toString());
        }
        return new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(grant.getMetadata().getNamespace())
                        .withName(grant.getSpec().getCredentials().getSecretName())
                        .withLabels(ResourceNames.robotLabels(grant.getMetadata().getName()))
                        .withAnnotations(annotations).build())
                .withType("kubernetes.io/dockerconfigjson")
                .withData(Map.of(".dockerconfigjson", base64("{\"auths\":{}}")))
                .build();
    }

    public static Identity robot(RepositoryAccess grant) {
        return new Identity(RobotSecret.robotName(grant), Set.of(), "robot", SubjectKind.ROBOT);
    }

    /** An htpasswd Secret with bcrypt (cost 4, to keep tests fast) hashes of user=password pairs. */
    public static Secret htpasswdSecret(String namespace, Map<String, String> passwords) {
        StringBuilder htpasswd = new StringBuilder();
        passwords.forEach((user, password) -> htpasswd.append(user).append(':')
                .append(BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, password.toCharArray())).append('\n'));
        return new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("registry-users").build())
                .withData(Map.of("htpasswd", base64(htpasswd.toString())))
                .build();
    }

    /** The signing Secret as the operator writes it, with one active ES256 key. */
    public static Secret signingSecret(RegistryAuth auth) {
        Instant now = Instant.now();
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "test", now.minusSeconds(60), Duration.ofDays(30));
        byte[] refreshKey = new byte[SigningKeySecret.REFRESH_KEY_BYTES];
        new SecureRandom().nextBytes(refreshKey);
        var contents = new SigningKeySecret.Contents(refreshKey,
                List.of(new SigningKeySecret.StoredKey(key, SigningKeySecret.State.ACTIVE, now, now, null)));
        return new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(auth.getMetadata().getNamespace())
                        .withName(ResourceNames.signingSecret(auth)).withLabels(ResourceNames.labels(auth)).build())
                .withData(SigningKeySecret.data(contents))
                .build();
    }

    public static Identity user(String name, String... groups) {
        return new Identity(name, Set.of(groups), "htpasswd", SubjectKind.USER);
    }

    public static ResourceScope repository(String name, String... actions) {
        return new ResourceScope("repository", null, name, Set.of(actions));
    }

    public static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
