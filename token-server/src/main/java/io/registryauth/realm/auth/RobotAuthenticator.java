package io.registryauth.realm.auth;

import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.SubjectKind;
import java.time.Clock;
import java.util.Set;

/**
 * Robots: the generated credentials of grants ({@link RealmConfig#robots()}). A robot identity has kind
 * ROBOT, which the policy matches only with the robot's own grant. Checks are a salted SHA-256, cheap
 * enough to run on every request (see {@link RobotPasswords}).
 */
public final class RobotAuthenticator implements Authenticator {
    public static final String NAME = "robot";
    private final Clock clock;

    public RobotAuthenticator() {
        this(Clock.systemUTC());
    }

    /** With the clock that decides whether a rotated-out password's grace period is over. */
    public RobotAuthenticator(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        RobotCredentials robot = realm.robots().get(credentials.username());
        if (robot == null) {
            return AuthResult.NOT_MINE;
        }
        return robot.accepts(credentials.password(), clock.instant())
                ? new AuthResult.Admitted(identity(robot.name()))
                : new AuthResult.Rejected(HtpasswdAuthenticator.INVALID);
    }

    /** A salted SHA-256 of a high-entropy password: cheap for every request. */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        return Cost.CHEAP;
    }

    /** A lookup in the realm. */
    @Override
    public Cost recheckCost(RealmConfig realm, Identity identity) {
        return Cost.CHEAP;
    }

    /** A refresh token of a robot stays good while the robot (its grant) exists. */
    @Override
    public AuthResult recheck(RealmConfig realm, Identity identity) {
        return identity.kind() == SubjectKind.ROBOT && realm.robots().containsKey(identity.name())
                ? new AuthResult.Admitted(identity(identity.name()))
                : new AuthResult.Rejected("robot no longer exists");
    }

    private static Identity identity(String name) {
        return new Identity(name, Set.of(), NAME, SubjectKind.ROBOT);
    }
}
