package io.registryauth.cli.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.registryauth.cli.CliException;
import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.Explainer.Explanation;
import io.registryauth.realm.scope.ResourceScope;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The access review commands. Each reads RegistryAuth and RepositoryAccess objects from YAML
 * ({@code --manifests DIR}) or, without it, from the cluster of the current kubeconfig (read only), and
 * answers with the operator's {@code GrantModel} and the realm's {@code Policy}. Exit status 1 is an error
 * (bad arguments, unreadable input, cluster unreachable), as for every registry-auth command.
 */
public final class ReviewCommands {
    /** can-i: no. */
    public static final int DENIED = 2;

    private ReviewCommands() {
    }

    abstract static class Review implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--manifests", paramLabel = "DIR", description = "Read the objects from the YAML files under"
                + " DIR instead of the cluster of the current kubeconfig")
        Path manifests;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json")
        String output;

        /** The instant the answer is for (tests; default now). */
        @Option(names = "--at", paramLabel = "TIME", hidden = true)
        String at;

        Instant now() {
            return at == null ? Clock.systemUTC().instant() : Instant.parse(at);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        Inventory inventory(Path dir) {
            return dir != null ? Inventory.read(dir) : Inventory.cluster();
        }

        void printJson(Object value) {
            try {
                out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new CliException("cannot write JSON: " + e.getMessage());
            }
        }

        @Override
        public Integer call() {
            // Fabric8 logs through SLF4J; only errors belong on a command's stderr.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
            try {
                if (!List.of("text", "json", "markdown").contains(output)) {
                    throw new CliException("unknown output format '" + output + "'");
                }
                return review();
            } catch (CliException e) {
                spec.commandLine().getErr().println("registry-auth: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            } finally {
                out().flush();
            }
        }

        abstract int review();
    }

    @Command(name = "can-i", mixinStandardHelpOptions = true,
            description = {"Whether a caller may perform ACTION on REPOSITORY, and the grants that decide it: the"
                    + " ones that give it, or why each grant does not (another subject, pattern or action; not"
                    + " yet valid, expired, or not enforced: outside tenancy, invalid).",
                    "Exit status: 0 yes, 2 no, 1 error."})
    public static final class CanICommand extends Review {
        @Parameters(index = "0", paramLabel = "ACTION", description = "pull, push, delete, * or a list (pull,push)")
        String action;

        @Parameters(index = "1", paramLabel = "REPOSITORY", description = "e.g. team-a/app")
        String repository;

        @Option(names = "--as", required = true, paramLabel = "USER", description = "The caller's name as the realm "
                + "sees it (corp:alice for a provider with prefix corp:), system:serviceaccount:NS:NAME, "
                + "robot$NS$GRANT or system:anonymous")
        String as;

        @Option(names = "--group", paramLabel = "GROUP", description = "A group of the caller (repeatable)")
        List<String> groups = new ArrayList<>();

        @Option(names = "--source", paramLabel = "SOURCE", description = "The identity source that admits the caller"
                + " (htpasswd, oidc:NAME, ldap:NAME); without it, subjects that name a source do not match")
        String source;

        @Option(names = "--registry", paramLabel = "NS/NAME", description = "The RegistryAuth (needed when there are"
                + " several)")
        String registry;

        @Option(names = "--all", description = "Also list the grants for other subjects")
        boolean all;

        @Override
        int review() {
            Instant now = now();
            Realms.Realm realm = Realms.of(inventory(manifests), now).select(registry);
            Identity who = Callers.identity(as, groups, source);
            ResourceScope scope = Callers.scope(action, repository);
            Explanation e = CanI.explain(realm, who, scope, now);
            if (output.equals("json")) {
                printJson(CanI.json(realm, who, e, now));
            } else {
                out().print(CanI.text(realm, who, e, all, now));
            }
            return e.allowed() ? 0 : DENIED;
        }
    }

    @Command(name = "who-can", mixinStandardHelpOptions = true,
            description = {"Every subject that may perform ACTION on REPOSITORY, through which grant; then those"
                    + " whose grant would allow it but does not count now (not yet valid, expired, not enforced).",
                    "Exit status: 0, or 1 on error."})
    public static final class WhoCanCommand extends Review {
        @Parameters(index = "0", paramLabel = "ACTION", description = "pull, push, delete, * or a list (pull,push)")
        String action;

        @Parameters(index = "1", paramLabel = "REPOSITORY", description = "e.g. team-a/app")
        String repository;

        @Option(names = "--registry", paramLabel = "NS/NAME", description = "The RegistryAuth (needed when there are"
                + " several)")
        String registry;

        @Override
        int review() {
            Instant now = now();
            Realms.Realm realm = Realms.of(inventory(manifests), now).select(registry);
            ResourceScope scope = Callers.scope(action, repository);
            List<WhoCan.Row> rows = WhoCan.rows(realm, scope, now);
            if (output.equals("json")) {
                printJson(WhoCan.json(realm, scope, rows));
            } else {
                out().print(WhoCan.text(realm, scope, rows));
            }
            return 0;
        }
    }

    @Command(name = "access-diff", mixinStandardHelpOptions = true,
            description = {"The access added and removed between two sets of RegistryAuth and RepositoryAccess "
                    + "objects (a GitOps repository before and after a change), per registry, subject, repository "
                    + "pattern and validity period, as the operator would enforce them.",
                    "Exit status: 0 no change, 2 access only removed, 3 access added (maybe some removed too),"
                            + " 1 error."})
    public static final class AccessDiffCommand extends Review {
        @Option(names = "--before", paramLabel = "DIR", description = "The objects before the change (default: the "
                + "cluster of the current kubeconfig)")
        Path before;

        @Option(names = "--after", paramLabel = "DIR", description = "The objects after the change (default: "
                + "--manifests)")
        Path after;

        @Option(names = "--format", paramLabel = "FORMAT", description = "markdown, json or text (default: --output)")
        String format;

        @Override
        int review() {
            Instant now = now();
            Path afterDir = after != null ? after : manifests;
            if (afterDir == null) {
                throw new CliException("access-diff needs --after DIR (or --manifests DIR)");
            }
            Inventory was = inventory(before);
            Inventory is = Inventory.read(afterDir);
            AccessDiff.Result result = AccessDiff.diff(was, Realms.of(was, now), is, Realms.of(is, now));
            String chosen = format != null ? format : output;
            switch (chosen) {
                case "markdown" -> out().print(AccessDiff.markdown(result));
                case "json" -> printJson(AccessDiff.json(result));
                case "text" -> out().print(AccessDiff.text(result));
                default -> throw new CliException("unknown format '" + chosen + "'; use markdown, json or text");
            }
            return result.exitStatus();
        }
    }
}
