package io.registryauth.operator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.api.v1alpha1.ServiceAccountAuthSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceAccountLoginTest {

    @Test
    void disabledOrMissingSpecMeansNoLogin() {
        assertThat(ServiceAccountLogin.of(null)).isEmpty();
        assertThat(ServiceAccountLogin.of(new ServiceAccountAuthSpec())).isEmpty();
    }

    @Test
    void enabledSpecCarriesAudiencesAndTheLegacySwitch() {
        ServiceAccountAuthSpec spec = new ServiceAccountAuthSpec();
        spec.setEnabled(true);
        spec.setAudiences(Arrays.asList("registry.example.com", " ", null, "registry.example.com", "ci"));
        spec.setAllowLegacyTokens(true);
        assertThat(ServiceAccountLogin.of(spec))
                .contains(new ServiceAccountLogin(List.of("registry.example.com", "ci"), true));
    }

    @Test
    void noAudiencesMeansTheService() {
        assertThat(new ServiceAccountLogin(List.of(), false).audiencesFor("registry.test")).containsExactly("registry.test");
        assertThat(new ServiceAccountLogin(List.of("a"), false).audiencesFor("registry.test")).containsExactly("a");
    }
}
