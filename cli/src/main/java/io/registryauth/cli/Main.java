package io.registryauth.cli;

/**
 * One jar, two programs: {@code registry-auth} and, when started under the name
 * {@code docker-credential-registry-auth} (the installed script passes its name as
 * {@code -Dregistryauth.argv0}), the credential helper. The helper path loads no argument parser.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        String argv0 = System.getProperty("registryauth.argv0", "");
        String name = argv0.substring(argv0.lastIndexOf('/') + 1);
        int status = name.startsWith("docker-credential-")
                ? CredentialHelper.run(args, System.in, System.out, Env.system())
                : Commands.run(args, Env.system());
        System.exit(status);
    }
}
