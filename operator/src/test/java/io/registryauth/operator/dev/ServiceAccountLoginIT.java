package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.registryauth.realm.auth.oidc.FakeIdentityProvider;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.RegistryProcess;
import io.registryauth.realm.it.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service-account login through the dev mode and the real registry: a token issued by the dev mode's API
 * ({@code kubectl create token}) is the password skopeo pushes with, under any user name or the
 * {@code system:serviceaccount:} one; the realm asks the same API for a TokenReview. A token for another
 * audience, one of a service account without a grant, and one of a deleted service account are refused. The
 * realm also has an introspecting identity provider, which records every token it is asked about: no
 * service-account token, accepted or refused, ever reaches it.
 */
class ServiceAccountLoginIT {
    private static final String SERVICE = "it-serviceaccounts";
    private static final String TEAM = "team-a";
    private static final String APP = TEAM + "/app:v1";

    private DevModeFixture dev;
    private RegistryProcess registry;
    private FakeIdentityProvider provider;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeIdentityProvider();
        dev = new DevModeFixture("serviceaccount-login-it");
        registry = dev.registry("registry", "main");
        Path manifests = dev.manifests();
        Files.writeString(manifests.resolve("01-registry.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: idp-client
                  namespace: registry
                stringData:
                  secret: %s
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata:
                  name: main
                  namespace: registry
                spec:
                  service: %s
                  registry: {host: "%s"}
                  authentication:
                    serviceAccounts: {enabled: true}
                    oidc:
                      - name: corp
                        issuer: "%s"
                        introspection:
                          clientId: %s
                          clientSecretRef: {name: idp-client, key: secret}
                """.formatted(FakeIdentityProvider.CLIENT_SECRET, SERVICE, registry.hostPort(), provider.issuer,
                FakeIdentityProvider.CLIENT_ID));
        // A team's CI: its builder pushes the team's repositories (a grant in the team's own namespace,
        // inside the default tenancy "${namespace}/**"); its tester has no grant.
        Files.writeString(manifests.resolve("02-team-a.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: builder
                  namespace: %1$s
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata:
                  name: ci-push
                  namespace: %1$s
                spec:
                  registry: {name: main, namespace: registry}
                  subjects: [{kind: ServiceAccount, name: builder, namespace: %1$s}]
                  repositories: ["%1$s/**"]
                  actions: [pull, push]
                """.formatted(TEAM));
        Files.writeString(manifests.resolve("03-tester.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: tester
                  namespace: %s
                """.formatted(TEAM));
        dev.startDevMode();
    }

    @AfterEach
    void stop() throws Exception {
        try (FakeIdentityProvider p = provider) {
            if (dev != null) {
                dev.close();
            }
        }
    }

    /** What {@code kubectl create token <name> -n team-a --audience <audience>} prints. */
    private String token(String name, String audience) throws Exception {
        return dev.api().serviceAccounts().inNamespace(TEAM).withName(name).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withAudiences(audience).endSpec().build()).getStatus().getToken();
    }

    @Test
    void aServiceAccountPushesWithItsTokenAndOnlyWhileItExists() throws Exception {
        Skopeo skopeo = new Skopeo(dev.work().resolve("skopeo"));
        String image = OciImages.write(dev.work().resolve("image")).reference();
        String builderToken = token("builder", SERVICE);
        // Issued now, first used after the service account is gone: no review of it can be cached.
        String unusedToken = token("builder", SERVICE);

        dev.assertSucceeded(awaitGrantEnforced(skopeo, image, builderToken));
        dev.assertSucceeded(skopeo.pull(registry.docker(APP), new Login("ci", builderToken)));
        // skopeo splits "user:password" at the first ':'; the realm puts the long user name back together.
        dev.assertSucceeded(skopeo.copy(image, null, registry.docker(APP),
                new Login("system:serviceaccount:" + TEAM + ":builder", builderToken)));

        Skopeo.Result otherAudience = skopeo.copy(image, null, registry.docker(APP),
                new Login("ci", token("builder", "https://kubernetes.default.svc.cluster.local")));
        assertThat(otherAudience.succeeded()).as("pushed with a token for another audience").isFalse();
        assertThat(otherAudience.stderr()).containsIgnoringCase("unauthorized");

        Skopeo.Result wrongName = skopeo.copy(image, null, registry.docker(APP),
                new Login("system:serviceaccount:" + TEAM + ":tester", builderToken));
        assertThat(wrongName.succeeded()).as("pushed with the builder's token under the tester's name").isFalse();
        assertThat(wrongName.stderr()).containsIgnoringCase("unauthorized");

        Skopeo.Result tester = skopeo.copy(image, null, registry.docker(APP),
                new Login("ci", token("tester", SERVICE)));
        assertThat(tester.succeeded()).as("a service account without a grant pushed").isFalse();
        assertThat(tester.stderr()).containsIgnoringCase("denied");

        Path manifests = dev.manifests();
        Files.writeString(manifests.resolve("02-team-a.yaml"),
                Files.readString(manifests.resolve("02-team-a.yaml")).replaceFirst(
                        "(?s)apiVersion: v1\\s+kind: ServiceAccount.*?---\\s*", ""));
        dev.await(Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> dev.api().serviceAccounts().inNamespace(TEAM).withName("builder").get(), Objects::isNull,
                account -> "service account builder was not deleted");
        Skopeo.Result deleted = skopeo.copy(image, null, registry.docker(APP), new Login("ci", unusedToken));
        assertThat(deleted.succeeded()).as("pushed with the token of a deleted service account").isFalse();
        assertThat(deleted.stderr()).containsIgnoringCase("unauthorized");
        assertThat(dev.output()).doesNotContain(builderToken).doesNotContain(unusedToken);
        assertThat(provider.introspected).as("service-account tokens shown to the identity provider").isEmpty();
    }

    /** The first push, retried until the grant's Accepted state reached the realm (a fresh dev mode). */
    private Skopeo.Result awaitGrantEnforced(Skopeo skopeo, String image, String token) throws Exception {
        return dev.await(DevModeFixture.WAIT, Duration.ofMillis(250),
                () -> skopeo.copy(image, null, registry.docker(APP), new Login("ci", token)), Skopeo.Result::succeeded,
                push -> "skopeo failed:\n" + push.stderr() + "\nregistry log:\n" + registry.logText());
    }
}
