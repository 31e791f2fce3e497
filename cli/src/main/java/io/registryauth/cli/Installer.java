package io.registryauth.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs {@code docker-credential-registry-auth} (and a {@code registry-auth} launcher) into the bin
 * directory: shell scripts that run this jar, copied to {@code <config dir>/lib} so a rebuilt or deleted
 * build folder does not break docker. The helper starts on every docker command, so its script uses the
 * JVM's class-data sharing: an archive written by a training run here (Java 17-18), one the JVM writes on
 * its first run (19-24), or the AOT cache (25 and later).
 */
final class Installer {
    static final String HELPER_NAME = "docker-credential-" + ClientConfigs.HELPER;
    /** Settings measured for the fastest start of a short run (docs/benchmarks.md). */
    static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=error:stderr");

    private final Path configDir;
    private final Path java;
    private final int javaFeature;

    Installer(Path configDir) {
        this(configDir, Path.of(System.getProperty("java.home"), "bin", "java"), Runtime.version().feature());
    }

    Installer(Path configDir, Path java, int javaFeature) {
        this.configDir = configDir;
        this.java = java;
        this.javaFeature = javaFeature;
    }

    /** The jar this program runs from; null when it does not run from a jar (tests in an IDE). */
    static Path runningJar() {
        try {
            Path location = Path.of(Installer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) ? location : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    Path installedJar() {
        return configDir.resolve("lib").resolve("registry-auth.jar");
    }

    /** Writes the scripts; returns the helper's path. */
    Path install(Path binDir, Path jar) {
        try {
            AtomicFiles.privateDirectory(configDir);
            Path lib = Files.createDirectories(configDir.resolve("lib"));
            Path target = installedJar();
            if (!jar.toAbsolutePath().equals(target.toAbsolutePath())) {
                Path temp = Files.createTempFile(lib, ".registry-auth", ".jar");
                Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                // The access review commands live in a jar of their own beside this one (ReviewLauncher).
                Path review = jar.resolveSibling(ReviewLauncher.JAR);
                if (Files.isRegularFile(review)) {
                    Path reviewTemp = Files.createTempFile(lib, ".registry-auth-review", ".jar");
                    Files.copy(review, reviewTemp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(reviewTemp, lib.resolve(ReviewLauncher.JAR), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.createDirectories(binDir);
            Path helper = binDir.resolve(HELPER_NAME);
            writeScript(helper, command(helperJvmOptions()));
            writeScript(binDir.resolve(ClientConfigs.HELPER), command(List.of()));
            return helper;
        } catch (IOException e) {
            throw new CliException("cannot install into " + binDir + ": " + e.getMessage(), e);
        }
    }

    private Path archive(String suffix) {
        return configDir.resolve("lib").resolve("helper-java" + javaFeature + suffix);
    }

    /** The JVM options of the helper script; the archive options only once there is (or will be) one. */
    List<String> helperJvmOptions() {
        List<String> options = new ArrayList<>(FAST_START);
        if (javaFeature >= 25) {
            if (Files.exists(archive(".aot"))) {
                options.add("-XX:AOTCache=" + archive(".aot"));
            }
        } else if (javaFeature >= 19) {
            options.add("-XX:SharedArchiveFile=" + archive(".jsa"));
            options.add("-XX:+AutoCreateSharedArchive");
        } else if (Files.exists(archive(".jsa"))) {
            options.add("-XX:SharedArchiveFile=" + archive(".jsa"));
        }
        return options;
    }

    /**
     * Runs {@code get} for a registry once with the JVM recording the classes it loads, then rewrites the
     * helper script to use that record. Best effort: without it the helper is only slower.
     */
    void train(Path binDir, String registry, Env env) {
        List<String> record;
        if (javaFeature >= 25) {
            record = List.of("-XX:AOTCacheOutput=" + archive(".aot"));
        } else if (javaFeature < 19) {
            record = List.of("-XX:ArchiveClassesAtExit=" + archive(".jsa"));
        } else {
            return; // the JVM writes the archive itself on the first run
        }
        try {
            Files.deleteIfExists(archive(".aot"));
            Files.deleteIfExists(archive(".jsa"));
            List<String> command = new ArrayList<>(List.of(java.toString()));
            command.addAll(FAST_START.subList(0, 3));
            command.addAll(List.of("-Xlog:disable", "-Xlog:all=off"));
            command.addAll(record);
            command.addAll(List.of("-Dregistryauth.argv0=" + HELPER_NAME, "-jar", installedJar().toString(), "get"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(env.vars());
            builder.environment().put("REGISTRY_AUTH_CONFIG_DIR", configDir.toString());
            Process process = builder.start();
            process.getOutputStream().write(registry.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return;
            }
            writeScript(binDir.resolve(HELPER_NAME), command(helperJvmOptions()));
        } catch (IOException e) {
            // no archive: the helper works, only starts slower
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String command(List<String> jvmOptions) {
        List<String> words = new ArrayList<>();
        words.add(quote(java.toString()));
        jvmOptions.forEach(option -> words.add(quote(option)));
        words.add("-Dregistryauth.argv0=\"$0\"");
        words.addAll(Arrays.asList("-jar", quote(installedJar().toString()), "\"$@\""));
        return String.join(" ", words);
    }

    /**
     * The script names the store login wrote to, so docker finds the sign-in whatever HOME or environment
     * it runs the helper with; REGISTRY_AUTH_CONFIG_DIR set at run time still wins.
     */
    private void writeScript(Path script, String command) throws IOException {
        String text = "#!/bin/sh\n# Written by `registry-auth login`; runs the registry-auth jar.\n"
                + "REGISTRY_AUTH_CONFIG_DIR=\"${REGISTRY_AUTH_CONFIG_DIR:-" + configDir.toAbsolutePath().toString()
                .replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "}\"\n"
                + "export REGISTRY_AUTH_CONFIG_DIR\nexec " + command + "\n";
        Path temp = Files.createTempFile(script.getParent(), "." + script.getFileName(), ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(temp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
