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

    private AuthResult.Admitted admitted(RealmConfig realm, String password) {
        AuthResult result = authenticator.authenticate(realm, new Credentials(NAME, password));
        assertThat(result).isInstanceOf(AuthResult.Admitted.class);
        assertThat(((AuthResult.Admitted) result).identity()).isEqualTo(ROBOT);
        return (AuthResult.Admitted) result;
    }

    private Session session(AuthResult.Admitted login) {
        return new Session(login.identity(), clock.instant(), clock.instant().plus(Duration.ofHours(1)), login.binding());
    }

    @Test
    void theRightPasswordAdmitsARobotIdentity() {
        admitted(rotated(NOW.plusSeconds(60)), current.password());
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
    void robotNamesAreTheRobotsAloneEvenForRobotsThatDoNotExist() {
        RealmConfig realm = rotated(NOW.plusSeconds(60));
        assertThat(authenticator.claim(realm, new Credentials("alice", current.password())))
                .isEqualTo(Authenticator.Claim.NONE);
        assertThat(authenticator.claim(realm(), new Credentials(NAME, current.password())))
                .isEqualTo(Authenticator.Claim.OWNS);
        assertThat(authenticator.authenticate(realm(), new Credentials(NAME, current.password())))
                .isInstanceOf(AuthResult.Rejected.class);
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
        admitted(realm, previous.password());
        clock.advance(Duration.ofSeconds(59));
        admitted(realm, previous.password());
        clock.advance(Duration.ofSeconds(1));
        assertThat(authenticator.authenticate(realm, old)).isInstanceOf(AuthResult.Rejected.class);
        admitted(realm, current.password());
    }

    @Test
    void aSessionLastsWhileItsPasswordIsAccepted() {
        RealmConfig realm = rotated(NOW.plusSeconds(60));
        Session onCurrent = session(admitted(realm, current.password()));
        Session onPrevious = session(admitted(realm, previous.password()));

        assertThat(authenticator.recheck(realm, onCurrent)).isInstanceOf(AuthResult.Admitted.class);
        assertThat(authenticator.recheck(realm, onPrevious)).isInstanceOf(AuthResult.Admitted.class);
        clock.advance(Duration.ofSeconds(60));
        assertThat(authenticator.recheck(realm, onPrevious)).as("the grace of the previous password is over")
                .isEqualTo(new AuthResult.Rejected("the robot's password was rotated; use the current one"));
        assertThat(authenticator.recheck(realm, onCurrent)).isInstanceOf(AuthResult.Admitted.class);
        // A hand edit: the Secret gets a new password and no grace for the old one.
        RobotPasswords.Generated repaired = RobotPasswords.generate();
        RealmConfig rewritten = realm(new RobotCredentials(NAME, List.of(RobotCredentials.PasswordHash.current(repaired.hash()))));
        assertThat(authenticator.recheck(rewritten, onCurrent)).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.recheck(realm(), onCurrent)).isEqualTo(new AuthResult.Rejected("robot no longer exists"));
        // A user named like the robot is not the robot.
        Session asUser = new Session(new Identity(NAME, Set.of(), "robot", SubjectKind.USER), NOW, NOW.plusSeconds(600),
                onCurrent.binding());
        assertThat(authenticator.recheck(realm, asUser)).isInstanceOf(AuthResult.Rejected.class);
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
