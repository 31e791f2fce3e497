package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registryauth.operator.OperatorSettings;
import io.registryauth.realm.http.TrustedProxies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settings the main program reads from its environment (manifests/04-deployment.yaml sets them). */
class OperatorSettingsTest {

    @Test
    void defaultsWatchEverythingWithoutLeaderElection() {
        OperatorSettings settings = OperatorSettings.fromEnvironment(Map.of());
        assertThat(settings.namespaces()).isEmpty();
        assertThat(settings.publicRealmUrl()).isNull();
        assertThat(settings.leaderElection()).isFalse();
        assertThat(settings.rotationLeadTime()).isEqualTo(OperatorSettings.DEFAULT_ROTATION_LEAD_TIME);
        assertThat(settings.leaseName()).isEqualTo("registry-auth-operator");
        assertThat(settings.trustedProxies()).isEqualTo(TrustedProxies.NONE);
    }

    @Test
    void readsEveryVariable() {
        OperatorSettings settings = OperatorSettings.fromEnvironment(Map.of(
                "WATCH_NAMESPACES", "registry, team-a,,",
                "REALM_PUBLIC_URL", "https://auth.example.com/token",
                "ROTATION_LEAD_TIME", "1h30m",
                "LEADER_ELECTION", "true",
                "POD_NAMESPACE", "registry-auth",
                "POD_NAME", "operator-0",
                "TRUSTED_PROXIES", " 10.0.0.0/8, fd00::/8 ,192.0.2.1,"));
        assertThat(settings.namespaces()).isEqualTo(Set.of("registry", "team-a"));
        assertThat(settings.publicRealmUrl()).isEqualTo("https://auth.example.com/token");
        assertThat(settings.rotationLeadTime()).isEqualTo(Duration.ofMinutes(90));
        assertThat(settings.leaderElection()).isTrue();
        assertThat(settings.leaseNamespace()).isEqualTo("registry-auth");
        assertThat(settings.identity()).isEqualTo("operator-0");
        assertThat(settings.trustedProxies())
                .isEqualTo(TrustedProxies.parse(List.of("10.0.0.0/8", "fd00::/8", "192.0.2.1/32")));
        assertThat(settings.trustedProxies().clientAddress("10.1.2.3", List.of("198.51.100.4")))
                .isEqualTo("198.51.100.4");
    }

    @Test
    void invalidValuesNameTheVariable() {
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("ROTATION_LEAD_TIME", "ten minutes")))
                .hasMessageStartingWith("ROTATION_LEAD_TIME");
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("LEADER_ELECTION", "yes")))
                .hasMessageStartingWith("LEADER_ELECTION");
    }

    @Test
    void invalidTrustedProxyIsNamedWithTheVariable() {
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("TRUSTED_PROXIES", "10.0.0.0/8, 10.0.0.0/99")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TRUSTED_PROXIES: bad prefix length in '10.0.0.0/99'");
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("TRUSTED_PROXIES", "ingress.example.com")))
                .hasMessage("TRUSTED_PROXIES: not an IP address or network: 'ingress.example.com'");
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("TRUSTED_PROXIES", "10.1.0.0/8")))
                .hasMessageStartingWith("TRUSTED_PROXIES: '10.1.0.0/8' has address bits set behind its prefix");
    }
}
