package io.registryauth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigsTest {
    @TempDir
    Path dir;

    @Test
    void addsTheHelperAndKeepsEverythingElse() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\":{\"a.example\":{\"auth\":\"eDp5\"}},\"credHelpers\":{\"gcr.io\":\"gcloud\"},"
                + "\"psFormat\":\"table\",\"n\":3}");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));

        assertThat(ClientConfigs.addHelper(config, "registry.example.com")).isTrue();
        assertThat(ClientConfigs.addHelper(config, "registry.example.com")).isFalse();

        Map<String, Object> json = JSONObjectUtils.parse(Files.readString(config));
        assertThat(json).containsEntry("credHelpers", Map.of("gcr.io", "gcloud", "registry.example.com", "registry-auth"))
                .containsEntry("auths", Map.of("a.example", Map.of("auth", "eDp5"))).containsEntry("psFormat", "table")
                .containsEntry("n", 3L);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-r-----");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(config); // no temporary file left behind
        }
    }

    @Test
    void newFilesArePrivateAndRemovalTakesOnlyOurEntry() throws Exception {
        Path auth = dir.resolve("containers/auth.json");
        ClientConfigs.addHelper(auth, "registry.example.com");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(auth))).isEqualTo("rw-------");
        assertThat(ClientConfigs.removeHelper(auth, "registry.example.com")).isTrue();
        assertThat(JSONObjectUtils.parse(Files.readString(auth))).isEmpty();

        Files.writeString(auth, "{\"credHelpers\":{\"registry.example.com\":\"other\"}}");
        assertThat(ClientConfigs.removeHelper(auth, "registry.example.com")).isFalse();
        assertThat(Files.readString(auth)).contains("\"other\"");
        assertThat(ClientConfigs.removeHelper(dir.resolve("missing.json"), "registry.example.com")).isFalse();
    }

    @Test
    void aFileItCannotUnderstandIsLeftAlone() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"credHelpers\":[\"x\"]}");
        assertThatThrownBy(() -> ClientConfigs.addHelper(config, "r.example")).isInstanceOf(CliException.class)
                .hasMessageContaining("credHelpers is not a JSON object");
        Files.writeString(config, "not json");
        assertThatThrownBy(() -> ClientConfigs.addHelper(config, "r.example")).isInstanceOf(CliException.class);
        assertThat(Files.readString(config)).isEqualTo("not json");
    }
}
