package io.registryauth.cli.review;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs a review command in-process, as registry-auth-review.jar would, and keeps what it printed. */
record ReviewRun(int status, String out, String err) {
    static final Path EXAMPLES = Path.of("..", "manifests", "examples", "access-review");
    static final Path BEFORE = EXAMPLES.resolve("before");
    static final Path AFTER = EXAMPLES.resolve("after");
    /** A day when the auditor's grant (until 2027-01-01) counts. */
    static final String DURING = "2026-12-01T00:00:00Z";

    static ReviewRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new ReviewMain());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        return new ReviewRun(status, out.toString(), err.toString());
    }
}
