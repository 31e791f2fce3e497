package io.registryauth.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart in registry-auth-operator/, rendered by the real Helm engine (helm-java runs Helm's Go library
 * in-process). {@code helm template} leaves out the chart's crds/ (Helm installs them itself, before the
 * templates, and never deletes them): a rendering adds them first, verbatim, as {@code --include-crds} does.
 */
final class Chart {
    static final Path DIR = Path.of("registry-auth-operator");
    static final Path MANIFESTS = Path.of("..", "manifests");
    /** The release that manifests/ is: its name gives the object names, its namespace theirs. */
    static final String RELEASE = "registry-auth-operator";
    static final String NAMESPACE = "registry-auth";
    /** The one value manifests/ sets beyond the defaults: kubectl apply has no --create-namespace. */
    static final String MANIFEST_VALUES = "namespace:\n  create: true\n";

    private Chart() {
    }

    static LintResult lint() {
        return new Helm(DIR).lint().call();
    }

    /** {@code helm template} with the chart's default values. */
    static Rendering render() {
        return render("");
    }

    /** {@code helm template -f values.yaml}, release {@link #RELEASE} in {@link #NAMESPACE}. */
    static Rendering render(String valuesYaml) {
        return render(RELEASE, NAMESPACE, valuesYaml);
    }

    /** {@code helm template --set key=value ...}: values typed as the command line types them. */
    static Rendering renderWithSet(Map<String, Object> set) {
        var template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        set.forEach(template::set);
        try {
            List<Document> documents = new ArrayList<>(crds());
            documents.addAll(split(template.call()));
            return new Rendering(documents);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Rendering render(String release, String namespace, String valuesYaml) {
        try {
            Path values = Files.createTempFile("values", ".yaml");
            try {
                Files.writeString(values, valuesYaml);
                String out = new Helm(DIR).template().withName(release).withNamespace(namespace)
                        .withValuesFile(values).call();
                List<Document> documents = new ArrayList<>(crds());
                documents.addAll(split(out));
                return new Rendering(documents);
            } finally {
                Files.deleteIfExists(values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The chart's crds/ files, sorted by name. */
    static List<Document> crds() throws IOException {
        try (Stream<Path> files = Files.list(DIR.resolve("crds"))) {
            List<Document> out = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                out.add(new Document("crds/" + file.getFileName(), Files.readString(file)));
            }
            return out;
        }
    }

    /** Splits Helm's output at its "---" + "# Source: chart/templates/x.yaml" headers. */
    static List<Document> split(String out) {
        List<Document> documents = new ArrayList<>();
        String prefix = "# Source: " + DIR.getFileName() + "/";
        String source = null;
        StringBuilder body = new StringBuilder();
        for (String line : (out + "\n---").split("\n", -1)) {
            if (line.equals("---")) {
                if (source != null && !body.toString().isBlank()) {
                    documents.add(new Document(source, body.toString()));
                }
                source = null;
                body.setLength(0);
            } else if (source == null && line.startsWith(prefix)) {
                source = line.substring(prefix.length());
            } else if (source != null) {
                body.append(line).append('\n');
            } else if (!line.isBlank()) {
                throw new IllegalStateException("Helm output line outside a # Source document: " + line);
            }
        }
        return documents;
    }

    /** One rendered YAML document and the chart file it came from (templates/x.yaml or crds/x.yaml). */
    record Document(String source, String yaml) {
        String fileName() {
            return source.substring(source.lastIndexOf('/') + 1);
        }

        HasMetadata object() {
            return (HasMetadata) Serialization.unmarshal(yaml);
        }
    }

    record Rendering(List<Document> documents) {
        /**
         * The rendering as manifests/ holds it: one file per chart file, named like it, its documents in
         * Helm's order joined by "---" lines.
         */
        Map<String, String> files() {
            Map<String, List<String>> bySource = new LinkedHashMap<>();
            documents.forEach(d -> bySource.computeIfAbsent(d.fileName(), f -> new ArrayList<>())
                    .add(d.yaml().strip() + "\n"));
            Map<String, String> files = new LinkedHashMap<>();
            bySource.forEach((file, docs) -> files.put(file, String.join("---\n", docs)));
            return files;
        }

        List<HasMetadata> objects() {
            return documents.stream().map(Document::object).toList();
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects().stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type) {
            List<T> found = all(type);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type.getSimpleName() + ", rendered " + found.size());
            }
            return found.get(0);
        }

        <T extends HasMetadata> T named(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " rendered"));
        }

        List<HasMetadata> ofKind(String kind) {
            return objects().stream().filter(o -> kind.equals(o.getKind())).toList();
        }
    }
}
