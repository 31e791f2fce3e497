package io.registryauth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One source of truth: the numbered files of manifests/ (what `kubectl apply -f manifests/` installs) are
 * the chart rendered with its default values, split back into one file per chart file. The CRDs come from
 * the Java types (crds/, checked by CrdManifestsTest against manifests/03-crd-*.yaml); the chart's crds/
 * holds the same files.
 */
class ManifestsTest {
    static final String REFRESH_HINT = "Refresh with `mvn -B -pl charts test -Dtest=ManifestsTest"
            + " -Dmanifests.refresh=true`: it copies manifests/03-crd-*.yaml"
            + " (written from the Java types by `mvn -pl crds test -Dcrds.refresh=true`) into the chart's crds/,"
            + " then rewrites the other numbered files of manifests/ from the chart. Change the chart, not"
            + " manifests/.";

    @Test
    void chartCrdsAreTheCommittedCrds() throws IOException {
        refreshIfAsked();
        List<Path> committed = numbered(Chart.MANIFESTS).stream()
                .filter(f -> f.getFileName().toString().startsWith("03-crd-")).toList();
        List<Path> inChart = numbered(Chart.DIR.resolve("crds"));
        assertThat(inChart).extracting(f -> f.getFileName().toString()).as("the chart's crds/. " + REFRESH_HINT)
                .containsExactlyElementsOf(committed.stream().map(f -> f.getFileName().toString()).toList());
        for (Path file : committed) {
            if (!Files.readString(file).equals(Files.readString(Chart.DIR.resolve("crds").resolve(file.getFileName())))) {
                fail("the chart's crds/" + file.getFileName() + " differs from " + file + ". " + REFRESH_HINT);
            }
        }
    }

    @Test
    void manifestsAreTheChartRenderedWithDefaultValues() throws IOException {
        refreshIfAsked();
        Map<String, String> rendered = Chart.render(Chart.MANIFEST_VALUES).files();
        List<String> onDisk = numbered(Chart.MANIFESTS).stream().map(f -> f.getFileName().toString()).toList();
        assertThat(new TreeSet<>(onDisk)).as("numbered files in manifests/. " + REFRESH_HINT)
                .containsExactlyElementsOf(new TreeSet<>(rendered.keySet()));
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, String> file : rendered.entrySet()) {
            if (!Files.readString(Chart.MANIFESTS.resolve(file.getKey())).equals(file.getValue())) {
                differing.add(file.getKey());
            }
        }
        if (!differing.isEmpty()) {
            fail("manifests/" + differing + " differ from the chart's default rendering. " + REFRESH_HINT);
        }
    }

    @Test
    void monitoringManifestsAreTheChartsMonitoringRendering() throws IOException {
        refreshIfAsked();
        Map<String, String> rendered = monitoring();
        assertThat(rendered.keySet()).as("the chart's monitoring templates").hasSize(3);
        Path dir = Chart.MANIFESTS.resolve("monitoring");
        assertThat(new TreeSet<>(numbered(dir).stream().map(f -> f.getFileName().toString()).toList()))
                .as("numbered files in manifests/monitoring/. " + REFRESH_HINT)
                .containsExactlyElementsOf(new TreeSet<>(rendered.keySet()));
        for (Map.Entry<String, String> file : rendered.entrySet()) {
            if (!Files.readString(dir.resolve(file.getKey())).equals(file.getValue())) {
                fail("manifests/monitoring/" + file.getKey() + " differs from the chart's rendering. " + REFRESH_HINT);
            }
        }
    }

    /** What the chart adds with its monitoring switched on: ServiceMonitor, alert rules, dashboard. */
    private static Map<String, String> monitoring() {
        Map<String, String> plain = Chart.render(Chart.MANIFEST_VALUES).files();
        Map<String, String> all = new java.util.TreeMap<>(Chart.render(Chart.MANIFEST_VALUES + MONITORING).files());
        all.keySet().removeAll(plain.keySet());
        return all;
    }

    private static final String MONITORING = """
            monitoring:
              serviceMonitor: {enabled: true}
              prometheusRule: {enabled: true}
              dashboard: {enabled: true}
            """;

    /** With -Dmanifests.refresh=true: chart crds/ from manifests/03-crd-*, then manifests/ from the chart. */
    private static synchronized void refreshIfAsked() throws IOException {
        if (!Boolean.getBoolean("manifests.refresh")) {
            return;
        }
        Path crds = Chart.DIR.resolve("crds");
        for (Path stale : numbered(crds)) {
            Files.delete(stale);
        }
        for (Path crd : numbered(Chart.MANIFESTS)) {
            if (crd.getFileName().toString().startsWith("03-crd-")) {
                Files.copy(crd, crds.resolve(crd.getFileName()));
            }
        }
        Map<String, String> rendered = Chart.render(Chart.MANIFEST_VALUES).files();
        for (Path file : numbered(Chart.MANIFESTS)) {
            if (!rendered.containsKey(file.getFileName().toString())) {
                Files.delete(file);
            }
        }
        for (Map.Entry<String, String> file : rendered.entrySet()) {
            Files.writeString(Chart.MANIFESTS.resolve(file.getKey()), file.getValue());
        }
        Path monitoring = Files.createDirectories(Chart.MANIFESTS.resolve("monitoring"));
        for (Path stale : numbered(monitoring)) {
            Files.delete(stale);
        }
        for (Map.Entry<String, String> file : monitoring().entrySet()) {
            Files.writeString(monitoring.resolve(file.getKey()), file.getValue());
        }
    }

    /** The NN-name.yaml files of a directory (manifests/examples/ is not one of them), sorted. */
    private static List<Path> numbered(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().matches("\\d\\d-.*\\.yaml"))
                    .sorted().toList();
        }
    }
}
