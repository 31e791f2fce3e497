package io.registryauth.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dev mode, started as the README says, logs readable text (a person reads it in a terminal), the
 * audit line of a token request included; the JSON lines of a cluster are for LOG_FORMAT=json.
 */
class DevModeLogIT {
    private static final String TEXT_LINE = "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR) \\[[^]]+] \\S+ - .*";

    @Test
    void devModePrintsText() throws Exception {
        Path work = Files.createTempDirectory("dev-log");
        Path log = work.resolve("dev.log");
        try (DevModeProcess dev = DevModeProcess.start(Files.createDirectories(work.resolve("manifests")),
                work.resolve("state"), log)) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(dev.realmUrl() + "?service=nobody.example&scope=repository:a/b:pull")).build(),
                    HttpResponse.BodyHandlers.ofString());
            // 503 until the first snapshot is in, 400 after: either way the request leaves an audit line.
            assertThat(answer.statusCode()).isIn(400, 503);
            String auditLine = awaitLine(dev, "io.registryauth.audit");

            assertThat(auditLine).matches(TEXT_LINE).contains("INFO  [").contains("\"event\":\"token\"")
                    .contains("\"status\":" + answer.statusCode());
            awaitLine(dev, "registry-auth dev: press Ctrl-C to stop");
            List<String> lines = dev.output().lines().toList();
            // Every logger's line is text; the dev mode's own messages are plain lines of their own.
            assertThat(lines).noneMatch(line -> line.startsWith("{"));
            assertThat(lines).filteredOn(line -> line.matches(TEXT_LINE)).isNotEmpty();
            assertThat(lines).filteredOn(line -> line.startsWith("registry-auth dev: realm at")).hasSize(1);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String awaitLine(DevModeProcess dev, String containing) throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            var line = dev.output().lines().filter(l -> l.contains(containing)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line containing " + containing + " in\n" + dev.output());
    }
}
