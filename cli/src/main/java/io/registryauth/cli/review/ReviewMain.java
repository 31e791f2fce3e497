package io.registryauth.cli.review;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The access review commands' own entry point, in {@code registry-auth-review.jar} beside
 * {@code registry-auth.jar}: {@code registry-auth can-i ...} is handed here by {@code ReviewLauncher}, and
 * {@code java -jar registry-auth-review.jar can-i ...} works too. A jar of its own, so that the credential
 * helper's jar stays small (its start-up is paid on every docker command).
 */
@Command(name = "registry-auth", mixinStandardHelpOptions = true,
        description = "Review registry access: who may do what, why, and what a change of grants does.",
        subcommands = {ReviewCommands.CanICommand.class, ReviewCommands.WhoCanCommand.class,
                ReviewCommands.AccessDiffCommand.class})
public final class ReviewMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Runs one review command; returns its exit status. */
    public static int run(String[] args) {
        CommandLine commandLine = new CommandLine(new ReviewMain());
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println("registry-auth: " + e.getMessage() + " (see --help)");
            return 1;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("registry-auth: unexpected " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : ""));
            return 1;
        });
        return commandLine.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
