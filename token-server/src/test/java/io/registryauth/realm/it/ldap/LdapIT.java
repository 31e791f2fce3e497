package io.registryauth.realm.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.auth.AuthResult;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.HtpasswdAuthenticator;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.auth.MutableClock;
import io.registryauth.realm.auth.RobotAuthenticator;
import io.registryauth.realm.auth.Session;
import io.registryauth.realm.auth.ldap.LdapAuthenticator;
import io.registryauth.realm.auth.ldap.LdapDirectory;
import io.registryauth.realm.http.TokenServer;
import io.registryauth.realm.it.Login;
import io.registryauth.realm.it.OciImages;
import io.registryauth.realm.it.Programs;
import io.registryauth.realm.it.RealmAndRegistry;
import io.registryauth.realm.it.RealmSpec;
import io.registryauth.realm.it.Skopeo;
import io.registryauth.realm.it.SlapdServer;
import io.registryauth.realm.it.TestRealm;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.Subject;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LDAP users against a real OpenLDAP (slapd) with nested groups: plain, StartTLS and LDAPS with a test CA,
 * failover, refusals (wrong and empty passwords, filter injection), group changes within the group-cache
 * time, and, through a real registry and skopeo, a push on a group grant and a pull on a nested one.
 */
class LdapIT {
    @TempDir
    static Path dir;
    static SlapdServer slapd;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final LdapAuthenticator authenticator = new LdapAuthenticator(clock);

    @BeforeAll
    static void start() throws Exception {
        slapd = SlapdServer.start(dir.resolve("slapd"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (slapd != null) {
            slapd.close();
        }
    }

    private static LdapDirectory directory(List<String> urls, boolean startTls, String ca, int nestedDepth,
                                           boolean memberOf, Duration groupCache) {
        return new LdapDirectory("corp", urls, startTls, ca, SlapdServer.ADMIN_DN, SlapdServer.ADMIN_PASSWORD,
                SlapdServer.PEOPLE, null, null, memberOf ? "memberOf" : null, SlapdServer.GROUPS, null, null,
                nestedDepth, false, null, Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMinutes(5),
                groupCache);
    }

    private static LdapDirectory plain() {
        return directory(List.of(slapd.url()), false, null, 1, false, Duration.ofMinutes(1));
    }

    private static RealmConfig realm(LdapDirectory directory) {
        RealmConfig base = new RealmConfig("it/ldap", TestRealm.SERVICE, TestRealm.ISSUER, "http://127.0.0.1/token",
                Duration.ofMinutes(15), Duration.ofHours(1),
                KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "ldap-it")), new byte[32], false, Map.of(),
                Policy.empty());
        return base.with(new LdapAuthenticator.LdapDirectories(List.of(directory)));
    }

    private AuthResult login(RealmConfig realm, String user, String password) {
        return authenticator.authenticate(realm, new Credentials(user, password));
    }

    private static Identity identity(AuthResult result) {
        assertThat(result).as(String.valueOf(result)).isInstanceOf(AuthResult.Admitted.class);
        return ((AuthResult.Admitted) result).identity();
    }

    @Test
    void aUserLogsInWithGroupsFoundBySearchAndNestedGroupsFollowed() {
        RealmConfig realm = realm(plain());

        assertThat(identity(login(realm, "alice", "alice-password")))
                .isEqualTo(new Identity("alice", Set.of("developers"), "ldap:corp", SubjectKind.USER));
        assertThat(identity(login(realm, "dave", "dave-password")).groups())
                .containsExactlyInAnyOrder("contractors", "builders");
        RealmConfig flat = realm(directory(List.of(slapd.url()), false, null, 0, false, Duration.ofMinutes(1)));
        assertThat(identity(login(flat, "dave", "dave-password")).groups()).containsExactly("contractors");
    }

    @Test
    void groupsFromTheMemberOfAttribute() {
        RealmConfig realm = realm(new LdapDirectory("corp", List.of(slapd.url()), false, null, SlapdServer.ADMIN_DN,
                SlapdServer.ADMIN_PASSWORD, SlapdServer.PEOPLE, null, null, "memberOf", null, null, null, 0, false,
                null, null, null, null, null));

        assertThat(identity(login(realm, "bob", "bob-password")).groups()).containsExactly("platform");
    }

    @Test
    void wrongEmptyAndInjectedCredentialsAreRefused() {
        RealmConfig realm = realm(plain());
        String invalid = "invalid username or password";

        assertThat(login(realm, "alice", "wrong")).isEqualTo(new AuthResult.Rejected(invalid));
        assertThat(login(realm, "alice", "")).isEqualTo(new AuthResult.Rejected(invalid));
        assertThat(login(realm, "*)(uid=*", "alice-password")).isEqualTo(new AuthResult.Rejected(invalid));
        assertThat(login(realm, "*", "alice-password")).isEqualTo(new AuthResult.Rejected(invalid));
        assertThat(login(realm, "nobody", "whatever")).isEqualTo(new AuthResult.Rejected(invalid));
        assertThat(metric("registry_auth_ldap_binds_total")).as("the empty password was never bound").isEqualTo(1);
    }

    private long metric(String name) {
        return authenticator.metrics().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow()
                .value().getAsLong();
    }

    @Test
    void startTlsAndLdapsWithATestCaAndNothingWithoutIt() {
        RealmConfig startTls = realm(directory(List.of(slapd.url()), true, slapd.caPem, 0, false, Duration.ofMinutes(1)));
        RealmConfig ldaps = realm(directory(List.of(slapd.ldapsUrl()), false, slapd.caPem, 0, false, Duration.ofMinutes(1)));
        RealmConfig untrusted = realm(directory(List.of(slapd.ldapsUrl()), false, null, 0, false, Duration.ofMinutes(1)));

        assertThat(identity(login(startTls, "alice", "alice-password")).name()).isEqualTo("alice");
        assertThat(identity(login(ldaps, "alice", "alice-password")).name()).isEqualTo("alice");
        AuthResult refused = new LdapAuthenticator(clock).authenticate(untrusted, new Credentials("alice", "alice-password"));
        assertThat(refused).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) refused).reason()).doesNotContain("alice-password");
    }

    @Test
    void theNextServerServesWhenTheFirstIsDownAndNoServerIsAFastOutage() throws Exception {
        int nobody = Programs.freePort();
        RealmConfig failover = realm(directory(List.of("ldap://127.0.0.1:" + nobody, slapd.url()), false, null, 0,
                false, Duration.ofMinutes(1)));
        assertThat(identity(login(failover, "alice", "alice-password")).name()).isEqualTo("alice");

        RealmConfig down = realm(directory(List.of("ldap://127.0.0.1:" + nobody), false, null, 0, false,
                Duration.ofMinutes(1)));
        long started = System.nanoTime();
        AuthResult outage = new LdapAuthenticator(clock).authenticate(down, new Credentials("alice", "alice-password"));
        assertThat(outage).isInstanceOf(AuthResult.Unavailable.class);
        System.out.printf("LdapIT: an unreachable directory answered in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aCachedLoginCostsNoDirectoryCallAndGroupChangesArriveWithinTheGroupCacheTime() throws Exception {
        RealmConfig realm = realm(directory(List.of(slapd.url()), false, null, 0, false, Duration.ofSeconds(30)));
        Credentials erin = new Credentials("erin", "erin-password");
        assertThat(authenticator.cost(realm, erin)).isEqualTo(Authenticator.Cost.REMOTE);
        AuthResult first = authenticator.authenticate(realm, erin);
        assertThat(identity(first).groups()).containsExactly("builders");
        assertThat(authenticator.cost(realm, erin)).isEqualTo(Authenticator.Cost.CHEAP);
        long binds = metric("registry_auth_ldap_binds_total");

        slapd.removeMember("builders", SlapdServer.userDn("erin"));
        clock.advance(Duration.ofSeconds(29));
        assertThat(identity(authenticator.authenticate(realm, erin)).groups()).containsExactly("builders");
        assertThat(metric("registry_auth_ldap_binds_total")).isEqualTo(binds);
        clock.advance(Duration.ofSeconds(2));
        assertThat(identity(authenticator.authenticate(realm, erin)).groups()).isEmpty();
        assertThat(metric("registry_auth_ldap_binds_total")).as("still no second bind").isEqualTo(binds);

        // A session re-reads the user: gone from the directory, the session ends.
        Session session = new Session(identity(first), clock.instant(), clock.instant().plusSeconds(3600),
                ((AuthResult.Admitted) first).binding());
        assertThat(authenticator.recheck(realm, session)).isInstanceOf(AuthResult.Admitted.class);
        slapd.add(SlapdServer.groupDn("builders"), "member", SlapdServer.userDn("erin"));
    }

    @Test
    void aCachedUserKeepsLoggingInWithTheGroupsLastReadWhileTheDirectoryIsAway() throws Exception {
        SlapdServer second = SlapdServer.start(dir.resolve("slapd-outage"));
        RealmConfig realm = realm(directory(List.of(second.url()), false, null, 0, false, Duration.ofSeconds(10)));
        try {
            assertThat(identity(login(realm, "alice", "alice-password")).groups()).containsExactly("developers");
        } finally {
            second.close();
        }
        clock.advance(Duration.ofSeconds(11)); // the groups are stale: the directory would be asked
        assertThat(identity(login(realm, "alice", "alice-password")).groups()).containsExactly("developers");
        assertThat(login(realm, "bob", "bob-password")).as("a user never seen needs the directory")
                .isInstanceOf(AuthResult.Unavailable.class);
    }

    @Test
    void aCheckSaysWhichServerCannotBeUsedAndWhetherTheBindIsRefused() throws Exception {
        int nobody = Programs.freePort();
        assertThat(LdapAuthenticator.check(plain())).isEmpty();
        LdapDirectory wrongBind = new LdapDirectory("corp", List.of(slapd.url(), "ldap://127.0.0.1:" + nobody), false,
                null, SlapdServer.ADMIN_DN, "not-the-bind-password", SlapdServer.PEOPLE, null, null, null, null, null,
                null, 0, false, null, null, null, null, null);

        List<String> problems = LdapAuthenticator.check(wrongBind);
        assertThat(problems).containsExactly(
                slapd.url() + ": the bind as " + SlapdServer.ADMIN_DN + " was refused (check bindPasswordRef)",
                "ldap://127.0.0.1:" + nobody + ": cannot be used (connect error)");
        assertThat(String.join("\n", problems)).doesNotContain("not-the-bind-password");
        assertThat(LdapAuthenticator.check(directory(List.of(slapd.ldapsUrl()), false, slapd.caPem, 0, false,
                Duration.ofMinutes(1)))).isEmpty();
    }

    @Test
    void aDeletedUsersSessionEnds() throws Exception {
        RealmConfig realm = realm(plain());
        AuthResult login = login(realm, "carol", "carol-password");
        Session session = new Session(identity(login), clock.instant(), clock.instant().plusSeconds(3600),
                ((AuthResult.Admitted) login).binding());
        assertThat(authenticator.recheck(realm, session)).isInstanceOf(AuthResult.Admitted.class);

        slapd.deleteUser("carol");
        assertThat(authenticator.recheck(realm, session))
                .isEqualTo(new AuthResult.Rejected("the user is no longer in the directory; log in again"));
    }

    @Test
    void throughARealRegistryAGroupGrantPushesAndANestedGroupPulls() throws Exception {
        TokenServer.Options options = TokenServer.Options.defaults().withAuthenticators(
                List.of(new RobotAuthenticator(), new HtpasswdAuthenticator(), new LdapAuthenticator()));
        RealmSpec spec = new RealmSpec(KeyRing.of(TestRealm.newKey(SigningAlgorithm.ES256, "ldap-registry-it")),
                Map.of(), List.of(
                        RealmSpec.allow(Subject.group("developers").from("ldap:corp"), "dev/**", "pull", "push"),
                        RealmSpec.allow(Subject.group("builders"), "dev/**", "pull")), false);
        try (RealmAndRegistry stack = RealmAndRegistry.start(dir.resolve("registry"), options, spec)) {
            stack.realm().load(spec, new LdapAuthenticator.LdapDirectories(List.of(plain())));
            Skopeo skopeo = new Skopeo(dir.resolve("skopeo"));
            String image = OciImages.write(dir.resolve("image")).reference();

            skopeo.copy(image, null, stack.docker("dev/app:1"), new Login("alice", "alice-password"))
                    .requireSuccess("alice (group developers) pushes");
            skopeo.pull(stack.docker("dev/app:1"), new Login("dave", "dave-password"))
                    .requireSuccess("dave (contractors, within builders) pulls");
            Skopeo.Result davePush = skopeo.copy(image, null, stack.docker("dev/app:2"),
                    new Login("dave", "dave-password"));
            assertThat(davePush.succeeded()).as("dave may only pull").isFalse();
            Skopeo.Result wrong = skopeo.pull(stack.docker("dev/app:1"), new Login("alice", "not-her-password"));
            assertThat(wrong.succeeded()).isFalse();
            assertThat(wrong.stderr()).containsIgnoringCase("unauthorized");
            Skopeo.Result injected = skopeo.pull(stack.docker("dev/app:1"), new Login("*)(uid=*", "alice-password"));
            assertThat(injected.succeeded()).isFalse();
        }
    }
}
