package io.registryauth.realm.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real skopeo (containers/image) against a plain-HTTP registry. Everything skopeo would read from
 * the machine (HOME, auth file, registries.conf, signature policy, temp dir) points into a private
 * directory, so nothing of the machine's configuration or saved logins leaks into a test.
 */
public final class Skopeo {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** The outcome of one skopeo run. The command line is not kept: it carries passwords. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** Fails the test with skopeo's own words when {@code what} did not succeed. */
        public Result requireSuccess(String what) {
            if (!succeeded()) {
                throw new AssertionError(what + " failed with exit code " + exitCode + ":\n" + stderr);
            }
            return this;
        }
    }

    private final Path binary = Programs.require("skopeo");
    private final Path home;
    private final Path authFile;
    private final Path policy;
    private final Path registriesConf;
    private final Path registriesD;
    private final Path tmp;
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger pulls = new AtomicInteger();

    public Skopeo(Path workDir) throws IOException {
        this.home = Files.createDirectories(workDir.resolve("home"));
        this.authFile = home.resolve("auth.json");
        this.policy = home.resolve("policy.json");
        this.registriesConf = home.resolve("registries.conf");
        this.registriesD = Files.createDirectories(home.resolve("registries.d"));
        this.tmp = Files.createDirectories(home.resolve("tmp"));
        Files.createDirectories(home.resolve("run"));
        Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
        Files.writeString(registriesConf, "unqualified-search-registries = []\n");
    }

    /** {@code skopeo copy}; a null login means that side is not a registry (an oci: layout). */
    public Result copy(String source, Login sourceLogin, String destination, Login destinationLogin) {
        List<String> args = new ArrayList<>(List.of("copy", "--src-tls-verify=false", "--dest-tls-verify=false"));
        if (sourceLogin != null) {
            args.addAll(sourceLogin.anonymous() ? List.of("--src-no-creds") : List.of("--src-creds", sourceLogin.creds()));
        }
        if (destinationLogin != null) {
            args.addAll(destinationLogin.anonymous() ? List.of("--dest-no-creds")
                    : List.of("--dest-creds", destinationLogin.creds()));
        }
        args.add(source);
        args.add(destination);
        return run(args);
    }

    /** Copies {@code image} out of the registry into a fresh OCI layout: manifest, config and layer. */
    public Result pull(String image, Login login) {
        return copy(image, login, "oci:" + home.resolve("pulled-" + pulls.incrementAndGet()) + ":pulled", null);
    }

    /** {@code skopeo inspect --raw}: the manifest as the registry serves it. */
    public Result inspectRaw(String image, Login login) {
        return run(withLogin(new ArrayList<>(List.of("inspect", "--raw", "--tls-verify=false")), login, image));
    }

    public Result delete(String image, Login login) {
        return run(withLogin(new ArrayList<>(List.of("delete", "--tls-verify=false")), login, image));
    }

    private static List<String> withLogin(List<String> args, Login login, String image) {
        args.addAll(login.anonymous() ? List.of("--no-creds") : List.of("--creds", login.creds()));
        args.add(image);
        return args;
    }

    /** Runs {@code skopeo <args>} with the private configuration and a bounded run time. */
    public Result run(List<String> args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--policy", policy.toString(),
                "--registries.d", registriesD.toString(),
                "--tmpdir", tmp.toString(),
                "--command-timeout", TIMEOUT.toSeconds() + "s"));
        command.addAll(args);
        int run = runs.incrementAndGet();
        Path stdout = home.resolve("run-" + run + ".out");
        Path stderr = home.resolve("run-" + run + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", home.toString());
        env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("REGISTRY_AUTH_FILE", authFile.toString());
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        env.put("TMPDIR", tmp.toString());
        try {
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("skopeo " + args.get(0) + " did not finish within " + TIMEOUT
                        + "; stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("could not run skopeo " + args.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running skopeo " + args.get(0), e);
        }
    }
}
