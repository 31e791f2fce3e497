package io.registryauth.operator.reconciler;

import static io.registryauth.operator.reconciler.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.registryauth.api.v1alpha1.KeyStatus;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningKey;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production operator against the mock API server: keys, ConfigMap, status, invalid specs. */
class RegistryAuthReconcilerTest {
    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    static boolean ready(RegistryAuth auth) {
        return auth.getStatus() != null && auth.getStatus().condition("Ready")
                .map(c -> c.getStatus().equals("True")).orElse(false);
    }

    static String readyReason(RegistryAuth auth) {
        return auth.getStatus() == null ? null
                : auth.getStatus().condition("Ready").map(c -> c.getStatus() + "/" + c.getReason()).orElse(null);
    }

    @Test
    void createsSigningKeysRegistryConfigMapAndReadyStatus() {
        cluster.start(cluster.settings());
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();

        RegistryAuth done = await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        Secret secret = cluster.signingSecret(auth);
        assertThat(secret.getMetadata().getLabels()).containsAllEntriesOf(ResourceNames.labels(auth));
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(done.getMetadata().getUid()));
        KeyRing ring = SigningKeySecret.keyRing(secret).orElseThrow();
        assertThat(SigningKeySecret.refreshKey(secret).orElseThrow()).hasSize(32);
        assertThat(ring.active().algorithm().name()).isEqualTo("ES256");

        assertThat(done.getStatus().getObservedGeneration()).isEqualTo(done.getMetadata().getGeneration());
        assertThat(done.getStatus().getActiveKeyId()).isEqualTo(ring.active().kid());
        assertThat(done.getStatus().getKeys()).extracting(KeyStatus::getId, KeyStatus::getState)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ring.active().kid(), "active"));
        assertThat(done.getStatus().getService()).isEqualTo("registry.example.com");
        assertThat(done.getStatus().getRealm()).isEqualTo(MockCluster.REALM_URL);
        assertThat(done.getStatus().getConfigMap()).isEqualTo("main-registry-auth");
        assertThat(done.getStatus().getSigningSecret()).isEqualTo("main-signing-keys");

        ConfigMap configMap = await("ConfigMap", () -> cluster.configMap(auth), Objects::nonNull);
        assertThat(configMap.getMetadata().getLabels()).containsAllEntriesOf(ResourceNames.labels(auth));
        Map<String, String> data = configMap.getData();
        assertThat(data.get("rootcertbundle.pem")).isEqualTo(ring.active().certificatePem());
        assertThat(data).containsEntry("REGISTRY_AUTH_TOKEN_REALM", MockCluster.REALM_URL)
                .containsEntry("REGISTRY_AUTH_TOKEN_SERVICE", "registry.example.com")
                .containsEntry("REGISTRY_AUTH_TOKEN_ISSUER", "registry-auth/registry/main")
                .containsEntry("REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE", "/etc/registry-auth/rootcertbundle.pem")
                .containsEntry("REGISTRY_AUTH_TOKEN_JWKS", "/etc/registry-auth/jwks.json");
        assertThat(data.get("jwks.json")).contains("\"kid\":\"" + ring.active().kid() + "\"")
                .doesNotContain("\"d\"");
        assertThat(data.values()).noneMatch(v -> v.contains("PRIVATE KEY"));

        // The realm the feed builds from the same objects signs with the same key.
        var realm = RealmModel.realm(new RealmModel.Inputs(done, secret,
                cluster.client.secrets().inNamespace("registry").withName("registry-users").get(), null, List.of()),
                cluster.settings()).realm().orElseThrow();
        assertThat(realm.keys().active().kid()).isEqualTo(ring.active().kid());
        assertThat(realm.users()).containsKey("alice");
    }

    @Test
    void aReconcileWithNothingToDoWritesNothing() throws InterruptedException {
        cluster.start(cluster.settings());
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        RegistryAuth ready = await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        ConfigMap configMap = await("ConfigMap", () -> cluster.configMap(auth), Objects::nonNull);
        Secret secret = cluster.signingSecret(auth);

        // Someone annotates the ConfigMap: its informer triggers a reconcile that must change nothing.
        cluster.client.configMaps().inNamespace("registry").withName(configMap.getMetadata().getName())
                .edit(c -> {
                    c.getMetadata().setAnnotations(Map.of("example.com/note", "touched"));
                    return c;
                });
        Thread.sleep(2000);
        assertThat(cluster.get(auth).getMetadata().getResourceVersion())
                .isEqualTo(ready.getMetadata().getResourceVersion());
        assertThat(cluster.signingSecret(auth).getMetadata().getResourceVersion())
                .isEqualTo(secret.getMetadata().getResourceVersion());
        assertThat(cluster.configMap(auth).getData()).isEqualTo(configMap.getData());
    }

    @Test
    void keysSurviveAnOperatorRestart() {
        cluster.start(cluster.settings());
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        Secret before = cluster.signingSecret(auth);
        String bundleBefore = await("ConfigMap", () -> cluster.configMap(auth), Objects::nonNull).getData()
                .get("rootcertbundle.pem");

        cluster.stopOperator();
        cluster.start(cluster.settings());
        cluster.poke(auth);
        // A spec change makes the new operator reconcile for sure; the keys must not change with it. The new
        // operator may be writing the status at this moment: an edit that meets its write is retried.
        for (int attempt = 1; ; attempt++) {
            try {
                cluster.client.resources(RegistryAuth.class).inNamespace("registry").withName("main")
                        .edit(a -> {
                            a.getSpec().getToken().setTtl("20m");
                            return a;
                        });
                break;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
        RegistryAuth after = await("observed generation 2", () -> cluster.get(auth),
                a -> ready(a) && a.getStatus().getObservedGeneration() == 2L);

        Secret secret = cluster.signingSecret(auth);
        SigningKey keyBefore = SigningKeySecret.keyRing(before).orElseThrow().active();
        SigningKey keyAfter = SigningKeySecret.keyRing(secret).orElseThrow().active();
        assertThat(keyAfter.kid()).isEqualTo(keyBefore.kid());
        assertThat(keyAfter.privateKeyPem()).isEqualTo(keyBefore.privateKeyPem());
        assertThat(secret.getData()).isEqualTo(before.getData());
        assertThat(SigningKeySecret.refreshKey(secret).orElseThrow())
                .isEqualTo(SigningKeySecret.refreshKey(before).orElseThrow());
        assertThat(after.getStatus().getActiveKeyId()).isEqualTo(keyBefore.kid());
        assertThat(cluster.configMap(auth).getData().get("rootcertbundle.pem")).isEqualTo(bundleBefore);
    }

    @Test
    void invalidServiceIsReportedNotThrownAndFixingItRecovers() {
        cluster.start(cluster.settings());
        RegistryAuth auth = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry example.com")).create();

        RegistryAuth rejected = await("Ready=False", () -> cluster.get(auth),
                a -> "False/InvalidService".equals(readyReason(a)));
        assertThat(rejected.getStatus().condition("Ready").orElseThrow().getMessage())
                .contains("spaces");
        assertThat(cluster.signingSecret(auth)).isNull();
        await("InvalidService event", () -> events("registry", "main"),
                list -> list.stream().anyMatch(e -> e.getReason().equals("InvalidService")
                        && e.getType().equals("Warning")));

        cluster.client.resources(RegistryAuth.class).inNamespace("registry").withName("main")
                .edit(a -> {
                    a.getSpec().setService("registry.example.com");
                    return a;
                });
        RegistryAuth fixed = await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
        assertThat(fixed.getStatus().getObservedGeneration()).isEqualTo(2L);
        assertThat(cluster.signingSecret(auth)).isNotNull();
    }

    @Test
    void badDurationAndMissingRealmUrlAreReported() {
        cluster.start(cluster.settings().withPublicRealmUrl(null));
        RegistryAuth noRealm = cluster.client.resource(
                cluster.registryAuth("registry", "main", "registry.example.com")).create();
        await("RealmUrlMissing", () -> cluster.get(noRealm), a -> "False/RealmUrlMissing".equals(readyReason(a)));

        RegistryAuth badTtl = cluster.registryAuth("registry", "other", "other.example.com");
        badTtl.getSpec().setRealm("https://auth.example.com/token");
        badTtl.getSpec().getToken().setTtl("15 minutes");
        cluster.client.resource(badTtl).create();
        RegistryAuth seen = await("InvalidSpec", () -> cluster.get(badTtl),
                a -> "False/InvalidSpec".equals(readyReason(a)));
        assertThat(seen.getStatus().condition("Ready").orElseThrow().getMessage()).contains("15 minutes");
    }

    @Test
    void secondClaimOfAServiceIsRejected() throws InterruptedException {
        cluster.start(cluster.settings());
        RegistryAuth first = cluster.client.resource(
                cluster.registryAuth("alpha", "main", "registry.example.com")).create();
        await("first Ready", () -> cluster.get(first), RegistryAuthReconcilerTest::ready);
        RegistryAuth second = cluster.client.resource(
                cluster.registryAuth("beta", "main", "registry.example.com")).create();

        RegistryAuth rejected = await("DuplicateService", () -> cluster.get(second),
                a -> "False/DuplicateService".equals(readyReason(a)));
        assertThat(rejected.getStatus().condition("Ready").orElseThrow().getMessage()).contains("alpha/main");
        assertThat(cluster.signingSecret(second)).isNull();
        assertThat(readyReason(cluster.get(first))).isEqualTo("True/Ready");
    }

    @Test
    void missingHtpasswdSecretMakesItNotReadyUntilItAppears() {
        cluster.start(cluster.settings());
        RegistryAuth auth = cluster.registryAuth("registry", "main", "registry.example.com");
        auth.getSpec().getAuthentication().getHtpasswd().getSecretRef().setName("nobody-here");
        cluster.client.resource(auth).create();

        RegistryAuth waiting = await("UsersUnavailable", () -> cluster.get(auth),
                a -> "False/UsersUnavailable".equals(readyReason(a)));
        assertThat(waiting.getStatus().condition("Ready").orElseThrow().getMessage()).contains("nobody-here");
        // Keys and ConfigMap are produced anyway: the registry can be set up while users are being fixed.
        assertThat(cluster.signingSecret(auth)).isNotNull();
        assertThat(await("ConfigMap", () -> cluster.configMap(auth), Objects::nonNull)).isNotNull();

        cluster.client.resource(new SecretBuilder(MockCluster.htpasswdSecret("registry"))
                .editMetadata().withName("nobody-here").endMetadata().build()).create();
        cluster.poke(auth);
        await("Ready", () -> cluster.get(auth), RegistryAuthReconcilerTest::ready);
    }

    @Test
    void unreadableSigningSecretIsLeftAloneAndReported() {
        RegistryAuth auth = cluster.registryAuth("registry", "main", "registry.example.com");
        Secret broken = new SecretBuilder().withNewMetadata()
                .withName("main-signing-keys").withNamespace("registry").withLabels(ResourceNames.labels(auth))
                .endMetadata()
                .withData(Map.of("keys.json", java.util.Base64.getEncoder().encodeToString("oops".getBytes())))
                .build();
        cluster.client.resource(broken).create();
        cluster.start(cluster.settings());
        cluster.client.resource(auth).create();

        RegistryAuth seen = await("InvalidSigningSecret", () -> cluster.get(auth),
                a -> "False/InvalidSigningSecret".equals(readyReason(a)));
        assertThat(seen.getStatus().condition("Ready").orElseThrow().getMessage()).contains("delete it");
        assertThat(cluster.signingSecret(auth).getData()).isEqualTo(broken.getData());
    }

    private List<Event> events(String namespace, String name) {
        return cluster.client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
