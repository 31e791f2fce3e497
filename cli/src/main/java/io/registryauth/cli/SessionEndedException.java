package io.registryauth.cli;

/** The provider no longer honours the stored sign-in; only a new {@code registry-auth login} helps. */
public final class SessionEndedException extends RuntimeException {
    public SessionEndedException(String registry, String why) {
        super("the sign-in for " + registry + " has ended (" + why + "); run `registry-auth login " + registry + "`",
                null, false, false);
    }
}
