package io.registryauth.cli;

/** A failure the user can act on: its message is the one line a command prints before exiting with 1. */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message, null, false, false);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
