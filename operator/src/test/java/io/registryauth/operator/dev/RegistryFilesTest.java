package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryFilesTest {
    @TempDir
    Path dir;

    private static final Map<String, String> CONFIG_MAP = Map.of(
            "rootcertbundle.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "jwks.json", "{\"keys\":[]}",
            "REGISTRY_AUTH_TOKEN_REALM", "http://127.0.0.1:5001/token",
            "REGISTRY_AUTH_TOKEN_SERVICE", "registry.example.com",
            "REGISTRY_AUTH_TOKEN_ISSUER", "it's-me",
            "REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE", "/etc/registry-auth/rootcertbundle.pem",
            "REGISTRY_AUTH_TOKEN_JWKS", "/etc/registry-auth/jwks.json");

    @Test
    void writesFilesWithLocalPathsAndShellQuoting() throws Exception {
        Path registry = RegistryFiles.directory(dir, "registry", "main");

        assertThat(RegistryFiles.write(registry, CONFIG_MAP)).isTrue();

        assertThat(registry).isEqualTo(dir.resolve("registries/registry/main"));
        assertThat(registry.resolve("rootcertbundle.pem")).hasContent(CONFIG_MAP.get("rootcertbundle.pem").strip());
        assertThat(registry.resolve("jwks.json")).hasContent("{\"keys\":[]}");
        assertThat(Files.readAllLines(registry.resolve("registry.env"))).contains(
                "REGISTRY_AUTH_TOKEN_REALM='http://127.0.0.1:5001/token'",
                "REGISTRY_AUTH_TOKEN_ISSUER='it'\\''s-me'",
                "REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE='" + registry.resolve("rootcertbundle.pem").toAbsolutePath() + "'",
                "REGISTRY_AUTH_TOKEN_JWKS='" + registry.resolve("jwks.json").toAbsolutePath() + "'");
        assertThat(Files.readString(registry.resolve("registry.env"))).doesNotContain("rootcertbundle.pem=");
    }

    @Test
    void unchangedContentIsNotRewritten() throws Exception {
        Path registry = RegistryFiles.directory(dir, "registry", "main");
        RegistryFiles.write(registry, CONFIG_MAP);
        var modified = Files.getLastModifiedTime(registry.resolve("registry.env"));

        assertThat(RegistryFiles.write(registry, CONFIG_MAP)).isFalse();
        assertThat(Files.getLastModifiedTime(registry.resolve("registry.env"))).isEqualTo(modified);
    }

    @Test
    void theEnvFileSourcesInAShell() throws Exception {
        Path registry = RegistryFiles.directory(dir, "registry", "main");
        RegistryFiles.write(registry, CONFIG_MAP);

        Process shell = new ProcessBuilder("sh", "-c", "set -a; . ./registry.env; echo \"$REGISTRY_AUTH_TOKEN_ISSUER\"")
                .directory(registry.toFile()).redirectErrorStream(true).start();

        assertThat(new String(shell.getInputStream().readAllBytes()).strip()).isEqualTo("it's-me");
        assertThat(shell.waitFor()).isZero();
    }
}
