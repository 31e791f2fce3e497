package io.registryauth.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Hands the access review commands to {@code registry-auth-review.jar}, which holds them with what they need
 * (the operator's grant model, the realm's policy, the Kubernetes client): they are not in
 * {@code registry-auth.jar}, whose size the credential helper pays for on every start. The review jar is
 * looked for in {@code $REGISTRY_AUTH_REVIEW_JAR}, then beside the running jar; on a class path that has the
 * review classes (tests), they are called directly.
 */
final class ReviewLauncher {
    static final Set<String> COMMANDS = Set.of("can-i", "who-can", "access-diff");
    static final String JAR = "registry-auth-review.jar";
    private static final String MAIN = "io.registryauth.cli.review.ReviewMain";

    private ReviewLauncher() {
    }

    static boolean handles(String[] args) {
        return args.length > 0 && COMMANDS.contains(args[0]);
    }

    static int run(String[] args, Env env) {
        try {
            Class<?> main;
            try {
                main = Class.forName(MAIN);
            } catch (ClassNotFoundException e) {
                Path jar = reviewJar(env);
                URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                        ReviewLauncher.class.getClassLoader());
                Thread.currentThread().setContextClassLoader(loader);
                main = Class.forName(MAIN, true, loader);
            }
            Method run = main.getMethod("run", String[].class);
            return (Integer) run.invoke(null, (Object) args);
        } catch (CliException e) {
            System.err.println("registry-auth: " + e.getMessage());
            return 1;
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | MalformedURLException e) {
            System.err.println("registry-auth: " + JAR + " cannot be loaded: " + e);
            return 1;
        } catch (InvocationTargetException e) {
            System.err.println("registry-auth: " + Commands.message(e.getCause() instanceof Exception x ? x
                    : new IllegalStateException(e.getCause())));
            return 1;
        }
    }

    private static Path reviewJar(Env env) {
        String given = env.get("REGISTRY_AUTH_REVIEW_JAR");
        if (given != null && !given.isBlank()) {
            return existing(Path.of(given));
        }
        Path running = Installer.runningJar();
        if (running == null) {
            throw new CliException("the review commands need " + JAR + "; set REGISTRY_AUTH_REVIEW_JAR");
        }
        return existing(running.resolveSibling(JAR));
    }

    private static Path existing(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new CliException("the review commands need " + jar + " (built beside registry-auth.jar; "
                    + "or set REGISTRY_AUTH_REVIEW_JAR)");
        }
        return jar;
    }
}
