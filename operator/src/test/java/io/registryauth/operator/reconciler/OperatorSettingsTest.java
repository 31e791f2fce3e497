package io.registryauth.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registryauth.operator.OperatorSettings;
import java.time.Duration;
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
    }

    @Test
    void readsEveryVariable() {
        OperatorSettings settings = OperatorSettings.fromEnvironment(Map.of(
                "WATCH_NAMESPACES", "registry, team-a,,",
                "REALM_PUBLIC_URL", "https://auth.example.com/token",
                "ROTATION_LEAD_TIME", "1h30m",
                "LEADER_ELECTION", "true",
                "POD_NAMESPACE", "registry-auth",
                "POD_NAME", "operator-0"));
        assertThat(settings.namespaces()).isEqualTo(Set.of("registry", "team-a"));
        assertThat(settings.publicRealmUrl()).isEqualTo("https://auth.example.com/token");
        assertThat(settings.rotationLeadTime()).isEqualTo(Duration.ofMinutes(90));
        assertThat(settings.leaderElection()).isTrue();
        assertThat(settings.leaseNamespace()).isEqualTo("registry-auth");
        assertThat(settings.identity()).isEqualTo("operator-0");
    }

    @Test
    void invalidValuesNameTheVariable() {
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("ROTATION_LEAD_TIME", "ten minutes")))
                .hasMessageStartingWith("ROTATION_LEAD_TIME");
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("LEADER_ELECTION", "yes")))
                .hasMessageStartingWith("LEADER_ELECTION");
    }
}
