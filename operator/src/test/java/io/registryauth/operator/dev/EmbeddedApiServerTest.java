package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.registryauth.operator.auth.ServiceAccountAuthenticator;
import io.registryauth.operator.auth.ServiceAccountLogin;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import io.registryauth.realm.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dev mode's API server issues service-account tokens and reviews them as a real one does, so the
 * realm's service-account login runs unchanged against it.
 */
class EmbeddedApiServerTest {
    private static final String AUDIENCE = "registry.dev";
    private static final Instant NOW = Instant.now();

    private final MutableClock clock = new MutableClock(NOW);
    private EmbeddedApiServer api;
    private KubernetesClient client;
    private ServiceAccount builder;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(0, clock);
        client = api.client();
        builder = createServiceAccount("ci", "builder");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private ServiceAccount createServiceAccount(String namespace, String name) {
        return client.resource(new ServiceAccountBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .endMetadata().build()).create();
    }

    private TokenRequest requestToken(String namespace, String name, List<String> audiences, Long seconds) {
        return client.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withAudiences(audiences).withExpirationSeconds(seconds).endSpec().build());
    }

    private String token(List<String> audiences) {
        return requestToken("ci", "builder", audiences, null).getStatus().getToken();
    }

    private TokenReviewStatus review(String token, String... audiences) {
        TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(audiences.length == 0 ? null : List.of(audiences))
                .endSpec().build());
        return review.getStatus();
    }

    @Test
    void issuesAnAudienceBoundExpiringTokenNamingTheServiceAccount() throws Exception {
        TokenRequest answer = requestToken("ci", "builder", List.of(AUDIENCE), 900L);

        assertThat(answer.getSpec().getExpirationSeconds()).isEqualTo(900L);
        assertThat(Instant.parse(answer.getStatus().getExpirationTimestamp()))
                .isEqualTo(NOW.truncatedTo(ChronoUnit.SECONDS).plusSeconds(900));
        JWTClaimsSet claims = SignedJWT.parse(answer.getStatus().getToken()).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("system:serviceaccount:ci:builder");
        assertThat(claims.getAudience()).containsExactly(AUDIENCE);
        assertThat(claims.getExpirationTime().toInstant().getEpochSecond()).isEqualTo(NOW.getEpochSecond() + 900);
        assertThat(claims.getJSONObjectClaim("kubernetes.io"))
                .containsEntry("namespace", "ci")
                .containsEntry("serviceaccount", Map.of("name", "builder", "uid", builder.getMetadata().getUid()));
        // A TokenRequest creates nothing: the service account is all that is stored.
        assertThat(client.serviceAccounts().inNamespace("ci").list().getItems()).hasSize(1);
    }

    @Test
    void reviewsItsOwnTokenForASharedAudience() {
        String token = token(List.of(AUDIENCE, "other"));

        TokenReviewStatus status = review(token, AUDIENCE, "third");

        assertThat(status.getAuthenticated()).isTrue();
        assertThat(status.getAudiences()).containsExactly(AUDIENCE);
        assertThat(status.getUser().getUsername()).isEqualTo("system:serviceaccount:ci:builder");
        assertThat(status.getUser().getUid()).isEqualTo(builder.getMetadata().getUid());
        assertThat(status.getUser().getGroups())
                .containsExactly("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated");
    }

    @Test
    void aTokenWithoutAudienceIsTheApiServersOwn() {
        String token = token(List.of());

        assertThat(review(token).getAuthenticated()).isTrue();
        assertThat(review(token, AUDIENCE).getAuthenticated()).isFalse();
    }

    @Test
    void refusesAnotherAudienceAnExpiredTokenAndATamperedOne() {
        String token = token(List.of(AUDIENCE));

        TokenReviewStatus otherAudience = review(token, "somebody-else");
        assertThat(otherAudience.getAuthenticated()).isFalse();
        assertThat(otherAudience.getError()).contains("audiences");

        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("builder", "deployer");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        createServiceAccount("ci", "deployer");
        assertThat(review(tampered, AUDIENCE).getAuthenticated()).isFalse();
        assertThat(review("not-a-token", AUDIENCE).getAuthenticated()).isFalse();

        clock.advance(Duration.ofHours(1));
        TokenReviewStatus expired = review(token, AUDIENCE);
        assertThat(expired.getAuthenticated()).isFalse();
        assertThat(expired.getError()).contains("expired");
    }

    @Test
    void refusesTheTokenOfADeletedOrRecreatedServiceAccount() {
        String token = token(List.of(AUDIENCE));
        client.serviceAccounts().inNamespace("ci").withName("builder").delete();

        TokenReviewStatus deleted = review(token, AUDIENCE);
        assertThat(deleted.getAuthenticated()).isFalse();
        assertThat(deleted.getError()).contains("ci/builder has been deleted");

        ServiceAccount again = createServiceAccount("ci", "builder");
        assertThat(again.getMetadata().getUid()).isNotEqualTo(builder.getMetadata().getUid());
        assertThat(review(token, AUDIENCE).getAuthenticated()).isFalse();
        assertThat(review(token(List.of(AUDIENCE)), AUDIENCE).getAuthenticated()).isTrue();
    }

    @Test
    void refusesTokensOfAnotherApiServer() {
        try (EmbeddedApiServer other = EmbeddedApiServer.start(0, clock)) {
            other.client().resource(builder).create();
            String foreign = other.client().serviceAccounts().inNamespace("ci").withName("builder")
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withAudiences(AUDIENCE).endSpec().build())
                    .getStatus().getToken();
            assertThat(review(foreign, AUDIENCE).getAuthenticated()).isFalse();
        }
    }

    @Test
    void answersTokenRequestsAsTheApiServerDoes() {
        assertThatThrownBy(() -> requestToken("ci", "nobody", List.of(AUDIENCE), null))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        assertThatThrownBy(() -> requestToken("ci", "builder", List.of(AUDIENCE), 599L))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("less than 10 minutes");
                });
        assertThat(requestToken("ci", "builder", List.of(AUDIENCE), null).getSpec().getExpirationSeconds())
                .isEqualTo(3600L);
    }

    @Test
    void storesEverythingElseAsBefore() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("ci").withName("settings")
                .endMetadata().withData(Map.of("k", "v")).build()).create();

        assertThat(client.configMaps().inNamespace("ci").withName("settings").get().getData())
                .containsEntry("k", "v");
        assertThat(client.serviceAccounts().inNamespace("ci").withName("builder").get()).isNotNull();
    }

    /** Writes find their object through the name index: same names in other namespaces and kinds stay apart. */
    @Test
    void objectsOfOneNameStayApartAcrossNamespacesAndKinds() {
        for (String namespace : List.of("a", "b")) {
            client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName("shared")
                    .endMetadata().withData(Map.of("in", namespace)).build()).create();
        }
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withNamespace("a")
                .withName("shared").endMetadata().withStringData(Map.of("k", "v")).build()).create();
        assertThatThrownBy(() -> client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("a")
                .withName("shared").endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

        client.configMaps().inNamespace("b").withName("shared").edit(cm -> {
            cm.getData().put("edited", "yes");
            return cm;
        });
        client.configMaps().inNamespace("a").withName("shared")
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"data\":{\"patched\":\"yes\"}}");
        assertThat(client.configMaps().inNamespace("a").withName("shared").get().getData())
                .containsEntry("in", "a").containsEntry("patched", "yes").doesNotContainKey("edited");
        assertThat(client.configMaps().inNamespace("b").withName("shared").get().getData())
                .containsEntry("in", "b").containsEntry("edited", "yes").doesNotContainKey("patched");

        client.configMaps().inNamespace("a").withName("shared").delete();
        assertThat(client.configMaps().inNamespace("a").withName("shared").get()).isNull();
        assertThat(client.configMaps().inNamespace("b").withName("shared").get()).isNotNull();
        assertThat(client.secrets().inNamespace("a").withName("shared").get()).isNotNull();
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("a").withName("shared")
                .endMetadata().withData(Map.of("in", "a again")).build()).create();
        client.configMaps().inNamespace("a").withName("shared").edit(cm -> {
            cm.getData().put("second", "life");
            return cm;
        });
        assertThat(client.configMaps().inNamespace("a").withName("shared").get().getData())
                .containsEntry("in", "a again").containsEntry("second", "life");
        assertThat(client.configMaps().inAnyNamespace().list().getItems()).hasSize(2);
    }

    @Test
    void theRealmLogsServiceAccountsInThroughIt() {
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256, "dev-test", NOW.minusSeconds(60),
                Duration.ofDays(1));
        RealmConfig realm = new RealmConfig("ci/main", AUDIENCE, "registry-auth", "http://127.0.0.1/token",
                Duration.ofMinutes(5), Duration.ofHours(1), KeyRing.of(key), new byte[32], false, Map.of(),
                Policy.empty()).with(new ServiceAccountLogin(List.of(), false));
        ServiceAccountAuthenticator authenticator = new ServiceAccountAuthenticator(client,
                ServiceAccountAuthenticator.Settings.defaults().withClock(clock));

        AuthResult admitted = authenticator.authenticate(realm, new Credentials("builder", token(List.of(AUDIENCE))));
        assertThat(admitted).isInstanceOf(AuthResult.Admitted.class);
        assertThat(((AuthResult.Admitted) admitted).identity()).isEqualTo(new Identity("ci:builder",
                Set.of("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"), "serviceaccount",
                SubjectKind.SERVICE_ACCOUNT));
        // The session is bound to the account's uid, which the embedded API reports in its reviews.
        assertThat(((AuthResult.Admitted) admitted).binding().credential())
                .isEqualTo(client.serviceAccounts().inNamespace("ci").withName("builder").get().getMetadata().getUid());
        assertThat(authenticator.authenticate(realm, new Credentials("builder", token(List.of("elsewhere")))))
                .isInstanceOf(AuthResult.Rejected.class);
    }
}
