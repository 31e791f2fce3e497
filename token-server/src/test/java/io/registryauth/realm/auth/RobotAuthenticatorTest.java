package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.Policy;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.TestRealms;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RobotAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String NAME = RobotCredentials.nameFor("team-a", "pull-creds");
    private static final Identity ROBOT = new Identity(NAME, Set.of(), "robot", SubjectKind.ROBOT);

    private final MutableClock clock = new MutableClock(NOW);
    private final RobotAuthenticator authenticator = new RobotAuthenticator(clock);
    private final RobotPasswords.Generated current = RobotPasswords.generate();
    private final RobotPasswords.Generated previous = RobotPasswords.generate();

    private static RealmConfig realm(RobotCredentials... robots) {
        RealmConfig base = TestRealms.realm(Map.of());
        Map<String, RobotCredentials> byName = new java.util.HashMap<>();
        for (RobotCredentials robot : robots) {
            byName.put(robot.name(), robot);
        }
        return new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(), base.tokenTtl(),
                base.refreshTtl(), KeyRing.of(TestRealms.es256()), TestRealms.refreshKey('k'), false, Map.of(),
                Policy.empty(), List.of(), byName);
    }

    private RealmConfig rotated(Instant graceEnds) {
        return realm(new RobotCredentials(NAME, List.of(RobotCredentials.PasswordHash.current(current.hash()),
                new RobotCredentials.PasswordHash(previous.hash(), graceEnds))));
    }

    @Test
    void theRightPasswordAdmitsARobotIdentity() {
        RealmConfig realm = rotated(NOW.plusSeconds(60));
        assertThat(authenticator.authenticate(realm, new Credentials(NAME, current.password())))
                .isEqualTo(new AuthResult.Admitted(ROBOT));
        assertThat(NAME).isEqualTo("robot$team-a$pull-creds");
    }

    @Test
    void aWrongPasswordIsRejected() {
        RealmConfig realm = rotated(NOW.plusSeconds(60));
        AuthResult result = authenticator.authenticate(realm, new Credentials(NAME, current.password() + "x"));
        assertThat(result).isEqualTo(new AuthResult.Rejected("invalid username or password"));
        assertThat(authenticator.authenticate(realm, new Credentials(NAME, "")))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void unknownNamesAreNotMine() {
        RealmConfig realm = rotated(NOW.plusSeconds(60));
        assertThat(authenticator.authenticate(realm, new Credentials("alice", current.password())))
                .isEqualTo(AuthResult.NOT_MINE);
        assertThat(authenticator.authenticate(realm(), new Credentials(NAME, current.password())))
                .isEqualTo(AuthResult.NOT_MINE);
        // Another robot's password does not open this one.
        RobotPasswords.Generated other = RobotPasswords.generate();
        RealmConfig two = realm(new RobotCredentials(NAME, List.of(RobotCredentials.PasswordHash.current(current.hash()))),
                new RobotCredentials("robot$team-b$x", List.of(RobotCredentials.PasswordHash.current(other.hash()))));
        assertThat(authenticator.authenticate(two, new Credentials(NAME, other.password())))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void thePreviousPasswordWorksUntilItsGracePeriodEnds() {
        RealmConfig realm = rotated(NOW.plusSeconds(60));
        Credentials old = new Credentials(NAME, previous.password());
        assertThat(authenticator.authenticate(realm, old)).isEqualTo(new AuthResult.Admitted(ROBOT));
        clock.advance(Duration.ofSeconds(59));
        assertThat(authenticator.authenticate(realm, old)).isEqualTo(new AuthResult.Admitted(ROBOT));
        clock.advance(Duration.ofSeconds(1));
        assertThat(authenticator.authenticate(realm, old)).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.authenticate(realm, new Credentials(NAME, current.password())))
                .isEqualTo(new AuthResult.Admitted(ROBOT));
    }

    @Test
    void recheckAdmitsWhileTheRobotExists() {
        assertThat(authenticator.recheck(rotated(NOW), ROBOT)).isEqualTo(new AuthResult.Admitted(ROBOT));
        assertThat(authenticator.recheck(realm(), ROBOT)).isEqualTo(new AuthResult.Rejected("robot no longer exists"));
        // A user named like the robot is not the robot.
        assertThat(authenticator.recheck(rotated(NOW), new Identity(NAME, Set.of(), "robot", SubjectKind.USER)))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void robotCredentialsRefuseNamesBasicAuthCannotCarry() {
        List<RobotCredentials.PasswordHash> hashes = List.of(RobotCredentials.PasswordHash.current(current.hash()));
        for (String bad : new String[] {"", "robot:team-a:pull", "robot a", "robot\n", "x".repeat(257)}) {
            assertThatThrownBy(() -> new RobotCredentials(bad, hashes)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new RobotCredentials(NAME, List.of())).hasMessageContaining("no password hash");
        assertThatThrownBy(() -> RobotCredentials.PasswordHash.current("$2y$10$notours"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("notours");
    }

    @Test
    void realmConfigFilesRobotsUnderTheirNames() {
        RobotCredentials robot = new RobotCredentials(NAME, List.of(RobotCredentials.PasswordHash.current(current.hash())));
        RealmConfig base = realm();
        assertThatThrownBy(() -> new RealmConfig(base.id(), base.service(), base.issuer(), base.realmUrl(),
                base.tokenTtl(), base.refreshTtl(), base.keys(), base.refreshTokenKey(), false, Map.of(), Policy.empty(),
                List.of(), Map.of("someone-else", robot))).isInstanceOf(IllegalArgumentException.class);
        // The older constructors still work and carry no robots.
        assertThat(TestRealms.realm(Map.of()).robots()).isEmpty();
        assertThat(realm(robot).toString()).contains("robots=1").doesNotContain(current.hash());
        assertThat(robot.toString()).doesNotContain(current.hash());
    }
}
