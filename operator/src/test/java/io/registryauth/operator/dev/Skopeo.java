package io.registryauth.operator.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** skopeo against a plain-HTTP registry on 127.0.0.1, with Basic credentials for the realm. */
final class Skopeo {
    private final Path skopeo = Programs.require("skopeo");
    private final Path workDir;
    private int copies;

    /** What one run printed and how it ended. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    Skopeo(Path workDir) {
        this.workDir = workDir;
    }

    Result push(Path ociLayout, String tag, String registry, String repository, String credentials)
            throws IOException, InterruptedException {
        return run("copy", "--dest-tls-verify=false", "--dest-creds", credentials, "oci:" + ociLayout + ":" + tag,
                "docker://" + registry + "/" + repository + ":" + tag);
    }

    /** Copies the image out of the registry into a fresh OCI layout: manifest, config and layer. */
    Result pull(String registry, String repository, String tag, String credentials)
            throws IOException, InterruptedException {
        Path target = workDir.resolve("pulled-" + (++copies));
        return run("copy", "--src-tls-verify=false", "--src-creds", credentials,
                "docker://" + registry + "/" + repository + ":" + tag, "oci:" + target + ":" + tag);
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(skopeo.toString(), "--insecure-policy"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(workDir, "skopeo", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("skopeo " + String.join(" ", args) + " did not finish within 120 s");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
