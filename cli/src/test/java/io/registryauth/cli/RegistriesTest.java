package io.registryauth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistriesTest {
    @Test
    void serverUrlsInEveryFormNameTheSameRegistry() {
        assertThat(Registries.normalize("registry.example.com")).isEqualTo("registry.example.com");
        assertThat(Registries.normalize("https://Registry.Example.com:5000/v2/")).isEqualTo("registry.example.com:5000");
        assertThat(Registries.normalize(" 127.0.0.1:5000\n")).isEqualTo("127.0.0.1:5000");
        assertThat(Registries.normalize("http://[::1]:5000")).isEqualTo("[::1]:5000");
    }

    @Test
    void namesWithCredentialsOrSpacesAreRefusedWithoutEchoingThemWhole() {
        assertThatThrownBy(() -> Registries.normalize("https://user:pw@registry.example.com"))
                .isInstanceOf(CliException.class);
        assertThatThrownBy(() -> Registries.normalize("a b")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> Registries.normalize("")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> Registries.normalize("x".repeat(500) + " y")).hasMessageContaining("x".repeat(100) + "\"")
                .message().hasSizeLessThan(200);
    }

    @Test
    void loopbackRegistriesTalkPlainHttpLikeDocker() {
        assertThat(Registries.base("127.0.0.1:5000", false)).hasToString("http://127.0.0.1:5000");
        assertThat(Registries.base("localhost:5000", false)).hasToString("http://localhost:5000");
        assertThat(Registries.base("[::1]:5000", false)).hasToString("http://[::1]:5000");
        assertThat(Registries.base("registry.example.com", false)).hasToString("https://registry.example.com");
        assertThat(Registries.base("registry.example.com", true)).hasToString("http://registry.example.com");
    }

    @Test
    void bearerChallengesAreParsedLikeTheClientsDo() {
        assertThat(Discovery.bearerParams("Bearer realm=\"http://127.0.0.1:5001/token\",service=\"registry.example.com\""))
                .isEqualTo(Map.of("realm", "http://127.0.0.1:5001/token", "service", "registry.example.com"));
        assertThat(Discovery.bearerParams("bearer Realm=\"https://a/t?x=1,2\", service=svc, scope=\"repository:a:pull\""))
                .containsEntry("realm", "https://a/t?x=1,2").containsEntry("service", "svc")
                .containsEntry("scope", "repository:a:pull");
        assertThat(Discovery.bearerParams("Basic realm=\"x\"")).isEmpty();
    }
}
