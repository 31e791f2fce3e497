package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevOptionsTest {

    @Test
    void defaultsMatchTheReadme() throws Exception {
        DevOptions options = DevOptions.parse(List.of());

        assertThat(options.manifests()).containsExactly(Path.of("manifests/examples").toAbsolutePath());
        assertThat(options.stateDir()).isEqualTo(Path.of(".registry-auth").toAbsolutePath());
        assertThat(options.port()).isEqualTo(5001);
    }

    @Test
    void manifestsRepeatAndValuesMayBeInline() throws Exception {
        DevOptions options = DevOptions.parse(List.of("--manifests", "/a", "--manifests=/b", "--state-dir", "/s",
                "--port=0"));

        assertThat(options.manifests()).containsExactly(Path.of("/a"), Path.of("/b"));
        assertThat(options.stateDir()).isEqualTo(Path.of("/s"));
        assertThat(options.port()).isZero();
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> DevOptions.parse(List.of("--verbose")))
                .isInstanceOf(DevOptions.UsageException.class).hasMessageContaining("--verbose");
        assertThatThrownBy(() -> DevOptions.parse(List.of("--port")))
                .hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> DevOptions.parse(List.of("--port", "http")))
                .hasMessageContaining("must be a number");
        assertThatThrownBy(() -> DevOptions.parse(List.of("--port", "70000")))
                .hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> DevOptions.parse(List.of("--manifests")))
                .hasMessageContaining("--manifests needs a value");
    }
}
