package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.GrantSubject;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryRef;
import io.registryauth.api.v1alpha1.RegistrySpec;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAction;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.model.RobotSecret;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.RobotPasswords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Generated pull Secrets through the production operator: creation, rotation, repair, revocation, accounts. */
class PullSecretsTest {
    private static final String HOST = "registry.example.com:5443";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        cluster.start(cluster.settings());
        RegistryAuth auth = cluster.registryAuth("registry", "main", "registry.example.com");
        RegistrySpec registry = new RegistrySpec();
        registry.setHost(HOST);
        auth.getSpec().setRegistry(registry);
        cluster.client.resource(auth).create();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private RepositoryAccess create(String name, String secretName, String... serviceAccounts) {
        RepositoryAccess grant = new RepositoryAccess();
        grant.getMetadata().setNamespace("team-a");
        grant.getMetadata().setName(name);
        grant.getSpec().setRegistry(new RegistryRef("main", "registry"));
        grant.getSpec().setRepositories(List.of("team-a/**"));
        grant.getSpec().setActions(List.of(RepositoryAction.PULL));
        CredentialsSpec credentials = new CredentialsSpec(secretName);
        credentials.setRotationPeriod("24h");
        credentials.setGracePeriod("1h");
        credentials.setServiceAccounts(List.of(serviceAccounts));
        grant.getSpec().setCredentials(credentials);
        return cluster.client.resource(grant).create();
    }

    private RepositoryAccess get(String name) {
        return cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName(name).get();
    }

    private Secret secret(String name) {
        return cluster.client.secrets().inNamespace("team-a").withName(name).get();
    }

    private ServiceAccount account(String name) {
        return cluster.client.serviceAccounts().inNamespace("team-a").withName(name).get();
    }

    private static List<String> pullSecretNames(ServiceAccount account) {
        return account.getImagePullSecrets().stream().map(LocalObjectReference::getName).toList();
    }

    /** The single registry entry of the Secret's .dockerconfigjson. */
    private static Map.Entry<String, JsonNode> entry(Secret secret) {
        try {
            JsonNode auths = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")))
                    .path("auths");
            assertThat(auths.size()).isEqualTo(1);
            return auths.fields().next();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String password(Secret secret) {
        return entry(secret).getValue().path("password").asText();
    }

    private static String hash(Secret secret) {
        return secret.getMetadata().getAnnotations().get(ResourceNames.PASSWORD_HASH_ANNOTATION);
    }

    private RobotCredentials robot(RepositoryAccess grant, Secret secret) {
        return RobotSecret.credentials(grant, secret).orElseThrow();
    }

    @Test
    void writesADockerConfigWhosePasswordMatchesTheHashTheRealmReads() {
        RepositoryAccess grant = create("pull", "team-a-pull");

        Secret secret = await("pull Secret", () -> secret("team-a-pull"), s -> true);

        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(secret.getMetadata().getLabels()).containsEntry("registryauth.io/robot-for", "pull")
                .containsEntry("app.kubernetes.io/managed-by", "registry-auth-operator");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(grant.getMetadata().getUid()));
        Map.Entry<String, JsonNode> entry = entry(secret);
        assertThat(entry.getKey()).isEqualTo(HOST);
        assertThat(entry.getValue().path("username").asText()).isEqualTo("robot$team-a$pull");
        String password = password(secret);
        assertThat(entry.getValue().path("auth").asText()).isEqualTo(Base64.getEncoder().encodeToString(
                ("robot$team-a$pull:" + password).getBytes(StandardCharsets.UTF_8)));
        assertThat(RobotPasswords.matches(password, hash(secret))).isTrue();
        assertThat(robot(grant, secret).accepts(password, cluster.clock.instant())).isTrue();

        var status = await("status.credentials", () -> get("pull"), g -> g.getStatus().getCredentials() != null)
                .getStatus().getCredentials();
        assertThat(status.getSecretName()).isEqualTo("team-a-pull");
        assertThat(status.getRobot()).isEqualTo("robot$team-a$pull");
        assertThat(status.getRegistryHost()).isEqualTo(HOST);
        assertThat(status.getRotatedAt()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(status.getNextRotationAt()).isEqualTo("2026-03-02T10:00:00Z");
        assertThat(status.getPreviousValidUntil()).isNull();
    }

    @Test
    void rotationKeepsThePreviousPasswordForTheGracePeriod() {
        RepositoryAccess grant = create("pull", "team-a-pull");
        Secret first = await("pull Secret", () -> secret("team-a-pull"), s -> true);
        String oldPassword = password(first);

        cluster.clock.advance(Duration.ofHours(25));
        poke("team-a-pull");
        Secret rotated = await("rotation", () -> secret("team-a-pull"), s -> !hash(s).equals(hash(first)));

        Instant now = cluster.clock.instant();
        String newPassword = password(rotated);
        assertThat(newPassword).isNotEqualTo(oldPassword);
        RobotCredentials robot = robot(grant, rotated);
        assertThat(robot.accepts(newPassword, now)).isTrue();
        assertThat(robot.accepts(oldPassword, now.plus(Duration.ofMinutes(59)))).isTrue();
        assertThat(robot.accepts(oldPassword, now.plus(Duration.ofHours(1)))).isFalse();
        var status = await("status after rotation", () -> get("pull"),
                g -> g.getStatus().getCredentials().getPreviousValidUntil() != null).getStatus().getCredentials();
        assertThat(status.getPreviousValidUntil()).isEqualTo(now.plus(Duration.ofHours(1)).toString());
        assertThat(status.getRotatedAt()).isEqualTo(now.toString());

        // After the grace the previous hash is dropped from the Secret as well.
        cluster.clock.advance(Duration.ofHours(2));
        poke("team-a-pull");
        Secret settled = await("previous hash dropped", () -> secret("team-a-pull"), s -> !s.getMetadata()
                .getAnnotations().containsKey(ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION));
        assertThat(password(settled)).isEqualTo(newPassword);
    }

    @Test
    void aHandEditedSecretGetsANewPassword() {
        RepositoryAccess grant = create("pull", "team-a-pull");
        Secret original = await("pull Secret", () -> secret("team-a-pull"), s -> true);
        String chosen = "a-password-someone-typed-in-by-hand-0123456789";
        String config = "{\"auths\":{\"" + HOST + "\":{\"username\":\"robot$team-a$pull\",\"password\":\"" + chosen
                + "\",\"auth\":\"" + Base64.getEncoder().encodeToString(("robot$team-a$pull:" + chosen)
                .getBytes(StandardCharsets.UTF_8)) + "\"}}}";

        retrying(() -> cluster.client.secrets().inNamespace("team-a").withName("team-a-pull")
                .edit(s -> new SecretBuilder(s).withData(Map.of(".dockerconfigjson", Base64.getEncoder()
                        .encodeToString(config.getBytes(StandardCharsets.UTF_8)))).build()));

        Secret repaired = await("repaired", () -> secret("team-a-pull"),
                s -> !hash(s).equals(hash(original)) && !password(s).equals(chosen));
        RobotCredentials robot = robot(grant, repaired);
        Instant now = cluster.clock.instant();
        assertThat(robot.accepts(password(repaired), now)).isTrue();
        assertThat(robot.accepts(chosen, now)).isFalse();
        assertThat(robot.accepts(password(original), now)).as("a repair keeps no earlier password").isFalse();

        retrying(() -> cluster.client.secrets().inNamespace("team-a").withName("team-a-pull")
                .edit(s -> new SecretBuilder(s).editMetadata()
                        .removeFromAnnotations(ResourceNames.PASSWORD_HASH_ANNOTATION).endMetadata().build()));
        await("hash annotation put back", () -> secret("team-a-pull"),
                s -> hash(s) != null && RobotPasswords.matches(password(s), hash(s)));
    }

    @Test
    void deletingTheGrantDeletesItsSecretAndItsServiceAccountReferences() {
        cluster.client.resource(new ServiceAccountBuilder().withNewMetadata().withNamespace("team-a")
                .withName("default").endMetadata().addNewImagePullSecret("other").build()).create();
        create("pull", "team-a-pull", "default");
        await("account patched", () -> account("default"),
                a -> pullSecretNames(a).equals(List.of("other", "team-a-pull")));
        assertThat(get("pull").getMetadata().getFinalizers()).as("held while it has a Secret")
                .containsExactly(RepositoryAccessReconciler.FINALIZER);

        cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName("pull").delete();

        await("Secret deleted", () -> secret("team-a-pull") == null, gone -> gone);
        await("account unpatched", () -> account("default"), a -> pullSecretNames(a).equals(List.of("other")));
        await("grant gone", () -> get("pull") == null, gone -> gone);
    }

    @Test
    void serviceAccountsAreListedOnceIncludingOnesCreatedLaterAndReleasedWhenDropped() {
        cluster.client.resource(new ServiceAccountBuilder().withNewMetadata().withNamespace("team-a")
                .withName("default").endMetadata().build()).create();
        create("pull", "team-a-pull", "default", "builder");
        await("default patched", () -> account("default"), a -> pullSecretNames(a).equals(List.of("team-a-pull")));
        await("status lists default only", () -> get("pull"),
                g -> g.getStatus().getCredentials().getServiceAccounts().equals(List.of("default")));

        cluster.client.resource(new ServiceAccountBuilder().withNewMetadata().withNamespace("team-a")
                .withName("builder").endMetadata().build()).create();
        await("builder patched", () -> account("builder"), a -> pullSecretNames(a).equals(List.of("team-a-pull")));
        await("status lists both", () -> get("pull"),
                g -> g.getStatus().getCredentials().getServiceAccounts().equals(List.of("default", "builder")));
        assertThat(pullSecretNames(account("default"))).containsExactly("team-a-pull");

        retrying(() -> cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName("pull")
                .edit(g -> {
                    g.getSpec().getCredentials().setServiceAccounts(List.of("builder"));
                    return g;
                }));
        await("default released", () -> account("default"), a -> pullSecretNames(a).isEmpty());
        assertThat(pullSecretNames(account("builder"))).containsExactly("team-a-pull");

        retrying(() -> cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName("pull")
                .edit(g -> {
                    g.getSpec().setCredentials(null);
                    g.getSpec().setSubjects(List.of(new GrantSubject(GrantSubject.Kind.USER, "alice", null)));
                    return g;
                }));
        await("Secret deleted", () -> secret("team-a-pull") == null, gone -> gone);
        await("builder released", () -> account("builder"), a -> pullSecretNames(a).isEmpty());
        await("status without credentials", () -> get("pull"), g -> g.getStatus().getCredentials() == null);
        await("finalizer released: nothing left to clean up", () -> get("pull"),
                g -> g.getMetadata().getFinalizers().isEmpty());
    }

    /**
     * A grant without credentials has nothing to clean up and is never held: one write (its status), and
     * deleting it deletes it at once. One that an earlier version gave the finalizer is released.
     */
    @Test
    void aGrantWithoutCredentialsCarriesNoFinalizer() {
        RepositoryAccess plain = new RepositoryAccess();
        plain.getMetadata().setNamespace("team-a");
        plain.getMetadata().setName("plain");
        plain.getSpec().setRegistry(new RegistryRef("main", "registry"));
        plain.getSpec().setSubjects(List.of(new GrantSubject(GrantSubject.Kind.USER, "alice", null)));
        plain.getSpec().setRepositories(List.of("team-a/**"));
        plain.getSpec().setActions(List.of(RepositoryAction.PULL));
        cluster.client.resource(plain).create();
        RepositoryAccess ready = await("Ready", () -> get("plain"), g -> g.getStatus() != null
                && g.getStatus().condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false));
        assertThat(ready.getMetadata().getFinalizers()).isEmpty();
        cluster.client.resources(RepositoryAccess.class).inNamespace("team-a").withName("plain").delete();
        await("gone at once", () -> get("plain") == null, gone -> gone);

        plain.getMetadata().setName("older");
        plain.getMetadata().setFinalizers(List.of(RepositoryAccessReconciler.FINALIZER));
        cluster.client.resource(plain).create();
        await("released", () -> get("older"), g -> g.getStatus() != null && g.getMetadata().getFinalizers().isEmpty());
    }

    @Test
    void aSecretThatIsNotTheGrantsIsLeftAloneAndReported() {
        cluster.client.resource(new SecretBuilder().withNewMetadata().withNamespace("team-a").withName("taken")
                .endMetadata().withData(Map.of("x", "eA==")).build()).create();
        create("pull", "taken");

        RepositoryAccess grant = await("CredentialsConflict", () -> get("pull"), g -> g.getStatus()
                .condition("Ready").map(c -> c.getReason().equals("CredentialsConflict")).orElse(false));
        assertThat(grant.getStatus().condition("Ready").orElseThrow().getMessage()).contains("team-a/taken");
        assertThat(secret("taken").getData()).containsOnlyKeys("x");
    }

    /** Makes the operator look again (after moving the clock) through the Secret's informer. */
    private void poke(String name) {
        retrying(() -> cluster.client.secrets().inNamespace("team-a").withName(name).edit(s -> new SecretBuilder(s)
                .editMetadata().addToAnnotations("test/poke", Long.toString(System.nanoTime())).endMetadata().build()));
    }

    /** Runs an edit again when it raced the operator's own write (409 Conflict), as kubectl users would. */
    private static void retrying(Runnable edit) {
        for (int attempt = 1; ; attempt++) {
            try {
                edit.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
