package io.registryauth.operator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kubelet credential provider of manifests/examples/kubelet, run as the kubelet runs it: a
 * CredentialProviderRequest on stdin, a CredentialProviderResponse on stdout. (The kubelet itself is not
 * run here: what it sends is the request format its v1 API documents.)
 */
class KubeletCredentialProviderTest {
    private static final Path KUBELET = Path.of("..", "manifests", "examples", "kubelet");
    private static final Path SCRIPT = KUBELET.resolve("registry-auth-credential-provider");

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run run(String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", SCRIPT.toString(), "registry.example.com").start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out, err);
    }

    @Test
    @SuppressWarnings("unchecked")
    void answersWithThePodsServiceAccountTokenAsThePassword() throws Exception {
        Run run = run("""
                {"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest",
                 "image":"registry.example.com/team-a/app:1","serviceAccountToken":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
                 "serviceAccountAnnotations":{}}
                """);
        assertThat(run.exit()).as(run.stderr()).isZero();
        Map<String, Object> response = Serialization.unmarshal(run.stdout(), Map.class);
        assertThat(response).containsEntry("apiVersion", "credentialprovider.kubelet.k8s.io/v1")
                .containsEntry("kind", "CredentialProviderResponse").containsEntry("cacheKeyType", "Registry");
        assertThat((Map<String, Object>) response.get("auth")).containsOnlyKeys("registry.example.com");
        assertThat((Map<String, Object>) ((Map<String, Object>) response.get("auth")).get("registry.example.com"))
                .containsEntry("username", "kubelet").containsEntry("password", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    }

    @Test
    void refusesARequestWithoutAToken() throws Exception {
        Run run = run("{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\","
                + "\"image\":\"registry.example.com/team-a/app:1\"}");
        assertThat(run.exit()).isNotZero();
        assertThat(run.stderr()).contains("tokenAttributes");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void exampleConfigAsksForAProjectedTokenForTheRegistrysAudience() throws Exception {
        Map<String, Object> config = Serialization.unmarshal(
                Files.readString(KUBELET.resolve("credential-provider-config.yaml")), Map.class);
        assertThat(config).containsEntry("kind", "CredentialProviderConfig");
        Map<String, Object> provider = ((List<Map<String, Object>>) config.get("providers")).get(0);
        assertThat(provider).containsEntry("name", SCRIPT.getFileName().toString())
                .containsEntry("apiVersion", "credentialprovider.kubelet.k8s.io/v1");
        assertThat((Map<String, Object>) provider.get("tokenAttributes"))
                .containsEntry("serviceAccountTokenAudience", "registry.example.com")
                .containsEntry("requireServiceAccount", true).containsEntry("cacheType", "Token");
    }
}
