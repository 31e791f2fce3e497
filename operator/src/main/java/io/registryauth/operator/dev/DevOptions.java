package io.registryauth.operator.dev;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of dev mode: {@code dev [--manifests DIR]... [--state-dir DIR] [--port N]}.
 *
 * @param manifests directories whose YAML files are applied and watched (default {@code manifests/examples})
 * @param stateDir  where kubeconfig and the registry files are written (default {@code .registry-auth})
 * @param port      the realm's port on 127.0.0.1 (default 5001; 0 picks a free one)
 */
public record DevOptions(List<Path> manifests, Path stateDir, int port) {
    public static final Path DEFAULT_MANIFESTS = Path.of("manifests", "examples");
    public static final Path DEFAULT_STATE_DIR = Path.of(".registry-auth");
    public static final int DEFAULT_PORT = 5001;

    public static final String USAGE = """
            Usage: java -jar registry-auth-operator.jar                run the operator in a cluster
                   java -jar registry-auth-operator.jar dev [options]  run locally against an embedded API

            Dev mode options:
              --manifests DIR   apply and watch the YAML files in DIR (repeatable; default manifests/examples)
              --state-dir DIR   write kubeconfig and registry files here (default .registry-auth)
              --port N          serve the realm at http://127.0.0.1:N/token (default 5001)
              --help            show this help
            """;

    public DevOptions {
        manifests = manifests.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        stateDir = stateDir.toAbsolutePath().normalize();
    }

    /** Thrown for a command line that cannot be run; the message says what is wrong. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    /** Parses the arguments after {@code dev}. {@code --help} is handled by the caller. */
    public static DevOptions parse(List<String> args) throws UsageException {
        List<Path> manifests = new ArrayList<>();
        Path stateDir = DEFAULT_STATE_DIR;
        int port = DEFAULT_PORT;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            String inline = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                inline = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "--manifests" -> manifests.add(Path.of(inline != null ? inline : value(args, ++i, flag)));
                case "--state-dir" -> stateDir = Path.of(inline != null ? inline : value(args, ++i, flag));
                case "--port" -> port = port(inline != null ? inline : value(args, ++i, flag));
                default -> throw new UsageException("unknown option: " + flag);
            }
        }
        return new DevOptions(manifests.isEmpty() ? List.of(DEFAULT_MANIFESTS) : manifests, stateDir, port);
    }

    private static String value(List<String> args, int index, String flag) throws UsageException {
        if (index >= args.size() || args.get(index).isBlank()) {
            throw new UsageException(flag + " needs a value");
        }
        return args.get(index);
    }

    private static int port(String text) throws UsageException {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new UsageException("--port must be between 0 and 65535, got " + text);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException("--port must be a number, got " + text);
        }
    }
}
