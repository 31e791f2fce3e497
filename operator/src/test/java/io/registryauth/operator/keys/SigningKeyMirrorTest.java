package io.registryauth.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.registryauth.operator.Clients;
import io.registryauth.operator.model.Fixtures;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The copy of every signing Secret in the operator's namespace, which replicas mount. */
class SigningKeyMirrorTest {
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient(Clients::configure);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private Secret mirror() {
        return client.secrets().inNamespace("registry-auth").withName(SigningKeyMirror.SECRET_NAME).get();
    }

    @Test
    void holdsEveryRealmsKeysUnderItsOwnPrefixAndWritesOnlyChanges() {
        Secret main = Fixtures.signingSecret(Fixtures.registryAuth("registry", "main"));
        Secret other = Fixtures.signingSecret(Fixtures.registryAuth("team-b", "other"));

        SigningKeyMirror.update(client, "registry-auth", main);
        SigningKeyMirror.update(client, "registry-auth", other);
        Secret both = mirror();
        assertThat(both.getData()).containsOnlyKeys("registry_main-signing-keys_keys.json",
                "registry_main-signing-keys_refresh.key", "team-b_other-signing-keys_keys.json",
                "team-b_other-signing-keys_refresh.key");
        assertThat(both.getData().get("registry_main-signing-keys_keys.json"))
                .isEqualTo(main.getData().get("keys.json"));

        SigningKeyMirror.update(client, "registry-auth", main);
        assertThat(mirror().getMetadata().getResourceVersion()).as("unchanged keys are not written again")
                .isEqualTo(both.getMetadata().getResourceVersion());

        Secret rotated = new SecretBuilder(Fixtures.signingSecret(Fixtures.registryAuth("registry", "main"))).build();
        rotated.getData().remove(SigningKeySecret.REFRESH_KEY);
        SigningKeyMirror.update(client, "registry-auth", rotated);
        assertThat(mirror().getData()).containsOnlyKeys("registry_main-signing-keys_keys.json",
                "team-b_other-signing-keys_keys.json", "team-b_other-signing-keys_refresh.key");
        assertThat(mirror().getData().get("registry_main-signing-keys_keys.json"))
                .isEqualTo(rotated.getData().get("keys.json"));
    }

    @Test
    void entriesOfRegistryAuthsThatNoLongerExistAreDropped() {
        Secret main = Fixtures.signingSecret(Fixtures.registryAuth("registry", "main"));
        Secret other = Fixtures.signingSecret(Fixtures.registryAuth("team-b", "other"));
        SigningKeyMirror.update(client, "registry-auth", main);
        SigningKeyMirror.update(client, "registry-auth", other);

        // team-b/other was deleted: main's unchanged keys are written again, without the other's.
        SigningKeyMirror.update(client, "registry-auth", main, Set.of("registry/main-signing-keys"));
        assertThat(mirror().getData()).containsOnlyKeys("registry_main-signing-keys_keys.json",
                "registry_main-signing-keys_refresh.key");

        String version = mirror().getMetadata().getResourceVersion();
        SigningKeyMirror.update(client, "registry-auth", main, Set.of("registry/main-signing-keys"));
        assertThat(mirror().getMetadata().getResourceVersion()).as("nothing stale, nothing written")
                .isEqualTo(version);
    }

    @Test
    void nothingWithoutAnOperatorNamespace() {
        SigningKeyMirror.update(client, null, Fixtures.signingSecret(Fixtures.registryAuth("registry", "main")));
        assertThat(client.secrets().inAnyNamespace().list().getItems()).isEmpty();
    }
}
