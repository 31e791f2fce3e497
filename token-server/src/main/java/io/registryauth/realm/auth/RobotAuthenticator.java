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

    /**
     * Every name of the robot form ({@code robot$...}) is the robots' alone, including names of robots that
     * do not exist (or no longer do): such a password is never shown to another source.
     */
    @Override
    public Claim claim(RealmConfig realm, Credentials credentials) {
        return credentials.username().startsWith(RobotCredentials.NAME_PREFIX) ? Claim.OWNS : Claim.NONE;
    }

    @Override
    public AuthResult authenticate(RealmConfig realm, Credentials credentials) {
        RobotCredentials robot = realm.robots().get(credentials.username());
        if (robot == null) {
            return new AuthResult.Rejected(HtpasswdAuthenticator.INVALID);
        }
        return robot.accepted(credentials.password(), clock.instant())
                .<AuthResult>map(hash -> new AuthResult.Admitted(identity(robot.name()),
                        SessionBinding.credential(RefreshTokens.fingerprint(hash.hash()))))
                .orElseGet(() -> new AuthResult.Rejected(HtpasswdAuthenticator.INVALID));
    }

    /** A salted SHA-256 of a high-entropy password: cheap for every request. */
    @Override
    public Cost cost(RealmConfig realm, Credentials credentials) {
        return Cost.CHEAP;
    }

    /** A lookup in the realm. */
    @Override
    public Cost recheckCost(RealmConfig realm, Session session) {
        return Cost.CHEAP;
    }

    /**
     * A robot's session lasts while its grant exists and the password it logged in with is still accepted:
     * a rotation ends it when the previous password's grace ends, a revocation or a hand edit at once.
     */
    @Override
    public AuthResult recheck(RealmConfig realm, Session session) {
        RobotCredentials robot = session.kind() == SubjectKind.ROBOT ? realm.robots().get(session.subject()) : null;
        if (robot == null) {
            return new AuthResult.Rejected("robot no longer exists");
        }
        String credential = session.binding().credential();
        boolean stillAccepted = credential != null && robot.acceptsHash(credential, clock.instant(),
                hash -> RefreshTokens.fingerprint(hash.hash()));
        return stillAccepted ? new AuthResult.Admitted(identity(robot.name()), session.binding())
                : new AuthResult.Rejected("the robot's password was rotated; use the current one");
    }

    private static Identity identity(String name) {
        return new Identity(name, Set.of(), NAME, SubjectKind.ROBOT);
    }
}
