package io.registryauth.operator.dev;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the YAML files of manifest directories the way {@code kubectl apply} would, closely enough for dev
 * mode: every document is created or replaced, a Secret's {@code stringData} is merged into base64
 * {@code data} as the API server does, and an object that disappears from the files is deleted. Each
 * {@link #sync} compares the files with what they applied last time, so unchanged documents are not sent
 * again. A file that fails to parse is reported and keeps its previous objects.
 */
public final class ManifestApplier {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestApplier.class);
    private static final String DEFAULT_NAMESPACE = "default";
    /** Cluster-scoped kinds a manifest directory is likely to hold; everything else is namespaced. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "CustomResourceDefinition", "ClusterRole",
            "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService");

    private final EmbeddedApiServer api;
    private final KubernetesSerialization serialization;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    /** Above this many documents to send at once, {@link #SENDERS} threads check and send them. */
    private static final int PARALLEL_ABOVE = 64;
    private static final int SENDERS = 4;
    /** Above this many objects applied or deleted at once, the log says how many of each kind. */
    private static final int LIST_AT_MOST = 20;

    /** A file as last read: its bytes, its objects and the JSON each is sent as. */
    private record Parsed(byte[] content, Map<ObjectKey, GenericKubernetesResource> objects,
                          Map<ObjectKey, String> json) {
    }

    /** What each file applied last time: object key to the JSON that was sent. */
    private final Map<Path, Map<ObjectKey, String>> applied = new HashMap<>();
    /** Each file as it was last read, so an unchanged file is not parsed again. */
    private final Map<Path, Parsed> lastRead = new HashMap<>();
    /** Custom kinds learnt from CRDs, by "apiVersion/kind". */
    private final Map<String, ResourceDefinitionContext> customKinds = new ConcurrentHashMap<>();
    /** The learnt CRDs' schemas: a document they refuse is not sent, and its last good version stays. */
    private final SchemaCheck schemas = new SchemaCheck();
    /** Where each object of the last read files stands: "document 2, line 9", by file and key. */
    private final Map<String, String> positions = new ConcurrentHashMap<>();

    /**
     * An applier writing into {@code api}'s store in this process ({@link EmbeddedApiServer#write}): what an
     * HTTP request would do there, without the round trip.
     */
    public ManifestApplier(EmbeddedApiServer api) {
        this.api = api;
        this.serialization = api.client().getKubernetesSerialization();
    }

    /** Identifies one object across syncs. */
    public record ObjectKey(String apiVersion, String kind, String namespace, String name) {
        @Override
        public String toString() {
            return kind + " " + (namespace == null ? name : namespace + "/" + name);
        }
    }

    /** What a sync did; {@code errors} name the file and document that could not be read or applied. */
    public record Outcome(List<ObjectKey> applied, List<ObjectKey> deleted, List<String> errors) {
        public boolean changedAnything() {
            return !applied.isEmpty() || !deleted.isEmpty();
        }
    }

    /** Creates or replaces a CRD (not tracked by any file) and learns its kind. */
    public void installCrd(CustomResourceDefinition crd) {
        apply(new ObjectKey(crd.getApiVersion(), crd.getKind(), null, crd.getMetadata().getName()),
                serialization.convertValue(crd, GenericKubernetesResource.class));
    }

    /** Brings the API in line with the YAML files currently in {@code dirs}. */
    public synchronized Outcome sync(List<Path> dirs) {
        List<String> errors = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        dirs.forEach(dir -> files.addAll(yamlFiles(dir, errors)));
        Map<Path, Parsed> desired = new LinkedHashMap<>();
        for (Reading reading : readAll(files)) {
            if (reading.parsed() != null) {
                desired.put(reading.file(), reading.parsed());
            } else {
                errors.add(reading.file() + ": " + reading.problem() + " (its objects are left as they were)");
            }
        }
        lastRead.clear();
        lastRead.putAll(desired);
        // Files that could not be read keep what they applied before: nothing is deleted because of a typo.
        Map<Path, Map<ObjectKey, String>> next = new HashMap<>();
        applied.forEach((file, objects) -> {
            boolean unreadable = Files.exists(file) && !desired.containsKey(file)
                    && dirs.stream().anyMatch(d -> file.startsWith(d.toAbsolutePath().normalize()));
            if (unreadable) {
                next.put(file, objects);
            }
        });

        List<ObjectKey> done = new ArrayList<>();
        // CRDs first so that custom resources in any file find their kind.
        for (boolean crdPass : new boolean[] {true, false}) {
            List<Due> due = new ArrayList<>();
            desired.forEach((file, parsed) -> parsed.objects().forEach((key, object) -> {
                if (isCrd(key) != crdPass) {
                    return;
                }
                String json = parsed.json().get(key);
                String before = applied.getOrDefault(file, Map.of()).get(key);
                if (json.equals(before)) {
                    next.computeIfAbsent(file, f -> new LinkedHashMap<>()).put(key, json);
                } else {
                    due.add(new Due(file, key, object, json, before));
                }
            }));
            for (Due item : send(due)) {
                if (item.error() == null) {
                    done.add(item.key());
                    next.computeIfAbsent(item.file(), f -> new LinkedHashMap<>()).put(item.key(), item.json());
                } else {
                    errors.add(item.file().getFileName() + ": " + item.key() + ": " + item.error());
                    if (item.before() != null) {
                        next.computeIfAbsent(item.file(), f -> new LinkedHashMap<>()).put(item.key(), item.before());
                    }
                }
            }
        }

        Set<ObjectKey> stillWanted = new java.util.HashSet<>();
        next.values().forEach(objects -> stillWanted.addAll(objects.keySet()));
        List<ObjectKey> deleted = new ArrayList<>();
        applied.values().stream().flatMap(objects -> objects.keySet().stream()).distinct()
                .filter(key -> !stillWanted.contains(key))
                .forEach(key -> {
                    try {
                        delete(key);
                        deleted.add(key);
                    } catch (KubernetesClientException e) {
                        errors.add("deleting " + key + ": " + message(e));
                    }
                });
        applied.clear();
        applied.putAll(next);
        report("applied", done);
        report("deleted", deleted);
        errors.forEach(error -> LOG.error("manifest error: {}", error));
        return new Outcome(List.copyOf(done), List.copyOf(deleted), List.copyOf(errors));
    }

    /** A file read: its objects, or why they could not be read. */
    private record Reading(Path file, Parsed parsed, String problem) {
    }

    /**
     * Reads every file; one whose bytes did not change since the last sync is not parsed again (an edit
     * re-reads one file, not all), and many changed files (a first start) are parsed on every core.
     */
    private List<Reading> readAll(List<Path> files) {
        List<Callable<Reading>> reads = files.stream().<Callable<Reading>>map(file -> () -> {
            try {
                byte[] content = Files.readAllBytes(file);
                Parsed last = lastRead.get(file);
                return new Reading(file, last != null && Arrays.equals(last.content(), content) ? last
                        : parse(file, content), null);
            } catch (IOException | IllegalArgumentException e) {
                return new Reading(file, null, readProblem(e));
            }
        }).toList();
        return inParallel(reads, files.size() > lastRead.size() + 8, Runtime.getRuntime().availableProcessors(),
                "manifest-read");
    }

    /** Runs the tasks, in order on this thread or on {@code threads} threads, and returns their results in order. */
    private static <T> List<T> inParallel(List<Callable<T>> tasks, boolean parallel, int threads, String name) {
        if (!parallel || threads < 2) {
            List<T> out = new ArrayList<>();
            for (Callable<T> task : tasks) {
                try {
                    out.add(task.call());
                } catch (Exception e) {
                    throw new IllegalStateException(name + " failed", e);
                }
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<T>> started = tasks.stream().map(pool::submit).toList();
            List<T> out = new ArrayList<>();
            for (Future<T> f : started) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One document to send, and how sending it went (null error: applied). */
    private record Due(Path file, ObjectKey key, GenericKubernetesResource object, String json, String before,
                       String error) {
        Due(Path file, ObjectKey key, GenericKubernetesResource object, String json, String before) {
            this(file, key, object, json, before, null);
        }

        Due failed(String message) {
            return new Due(file, key, object, json, before, message);
        }
    }

    /**
     * Checks and writes each document; a large batch (a first start on thousands of grants) is checked and
     * written by a few threads at once. Order within a batch does not matter to the operator, which reconciles
     * whatever arrives in any order.
     */
    private List<Due> send(List<Due> due) {
        return inParallel(due.stream().<Callable<Due>>map(item -> () -> sendOne(item)).toList(),
                due.size() > PARALLEL_ABOVE, SENDERS, "manifest-apply");
    }

    private Due sendOne(Due item) {
        try {
            check(item.file(), item.key(), item.object());
            apply(item.key(), item.object());
            return item;
        } catch (KubernetesClientException | IllegalArgumentException e) {
            return item.failed(message(e));
        }
    }

    /** One line per object for a handful (an edit); a count by kind for many (a first start). */
    private static void report(String what, List<ObjectKey> keys) {
        if (keys.size() <= LIST_AT_MOST) {
            keys.forEach(key -> LOG.info("{} {}", what, key));
            return;
        }
        Map<String, Long> byKind = keys.stream().collect(Collectors.groupingBy(ObjectKey::kind, TreeMap::new,
                Collectors.counting()));
        LOG.info("{} {} objects: {}", what, keys.size(), byKind);
        keys.forEach(key -> LOG.debug("{} {}", what, key));
    }

    /** Refuses a document its CRD's schema refuses, as the API server (or kubectl --validate=strict) would. */
    private void check(Path file, ObjectKey key, GenericKubernetesResource object) {
        List<String> problems = schemas.problems(key.apiVersion(), key.kind(),
                serialization.convertValue(object, Map.class));
        if (!problems.isEmpty()) {
            String where = positions.get(file + "|" + key);
            throw new IllegalArgumentException(String.join("; ", problems) + (where == null ? "" : " (" + where + ")")
                    + "; not applied, its last good version stays");
        }
    }

    private static List<Path> yamlFiles(Path dir, List<String> errors) {
        if (!Files.isDirectory(dir)) {
            errors.add(dir + ": not a directory");
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(ManifestApplier::isYamlFile)
                    .map(f -> f.toAbsolutePath().normalize())
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            errors.add(dir + ": " + message(e));
            return List.of();
        }
    }

    static boolean isYamlFile(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(file);
    }

    /** A file's objects with the JSON each would be sent as. */
    private Parsed parse(Path file, byte[] content) throws IOException {
        Map<ObjectKey, GenericKubernetesResource> objects = read(file, content);
        Map<ObjectKey, String> json = new HashMap<>();
        objects.forEach((key, object) -> json.put(key, serialization.asJson(object)));
        return new Parsed(content, objects, json);
    }

    /** Parses every document of a file; throws IllegalArgumentException naming the document at fault. */
    private Map<ObjectKey, GenericKubernetesResource> read(Path file, byte[] content) throws IOException {
        Map<ObjectKey, GenericKubernetesResource> objects = new LinkedHashMap<>();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8);
             JsonParser parser = yaml.getFactory().createParser(reader);
             MappingIterator<Object> documents = yaml.readValues(parser, Object.class)) {
            int index = 0;
            while (documents.hasNextValue()) {
                index++;
                int line = parser.currentTokenLocation().getLineNr();
                Object document = documents.nextValue();
                if (document == null) {
                    continue;
                }
                if (!(document instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException("document " + index + " is not a YAML mapping");
                }
                for (GenericKubernetesResource object : expandLists(serialization.convertValue(document,
                        GenericKubernetesResource.class))) {
                    ObjectKey key = normalize(object, index);
                    if (objects.put(key, object) != null) {
                        throw new IllegalArgumentException("document " + index + ": " + key + " appears twice");
                    }
                    positions.put(file.toAbsolutePath().normalize() + "|" + key, "document " + index + ", line " + line);
                }
            }
        }
        return objects;
    }

    private List<GenericKubernetesResource> expandLists(GenericKubernetesResource object) {
        if (object.getKind() == null || !object.getKind().endsWith("List")
                || !(object.getAdditionalProperties().get("items") instanceof List<?> items)) {
            return List.of(object);
        }
        return items.stream().map(item -> serialization.convertValue(item, GenericKubernetesResource.class)).toList();
    }

    /** Checks the identifying fields, fills in the namespace and turns Secret stringData into data. */
    private ObjectKey normalize(GenericKubernetesResource object, int index) {
        String where = "document " + index;
        if (blank(object.getApiVersion()) || blank(object.getKind())) {
            throw new IllegalArgumentException(where + ": apiVersion and kind are required");
        }
        if (object.getMetadata() == null || blank(object.getMetadata().getName())) {
            throw new IllegalArgumentException(where + " (" + object.getKind() + "): metadata.name is required");
        }
        String name = object.getMetadata().getName();
        if (!pathSegment(name)) {
            throw new IllegalArgumentException(where + " (" + object.getKind() + "): metadata.name may not hold"
                    + " spaces, '/', '%', '?' or '#', be '.' or '..', or be longer than 253 characters");
        }
        String namespace = object.getMetadata().getNamespace();
        if (namespace != null && !namespace.isEmpty() && !dnsLabel(namespace)) {
            throw new IllegalArgumentException(where + " (" + object.getKind() + "): metadata.namespace must be"
                    + " lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63"
                    + " characters");
        }
        ResourceDefinitionContext context = context(object.getApiVersion(), object.getKind());
        if (context.isNamespaceScoped()) {
            if (blank(object.getMetadata().getNamespace())) {
                object.getMetadata().setNamespace(DEFAULT_NAMESPACE);
            }
        } else {
            object.getMetadata().setNamespace(null);
        }
        if ("Secret".equals(object.getKind()) && "v1".equals(object.getApiVersion())) {
            mergeStringData(object, where);
        }
        return new ObjectKey(object.getApiVersion(), object.getKind(), object.getMetadata().getNamespace(),
                object.getMetadata().getName());
    }

    /** As the API server does: stringData entries become base64 data entries and win over them. */
    static void mergeStringData(GenericKubernetesResource secret, String where) {
        Object stringData = secret.getAdditionalProperties().remove("stringData");
        if (stringData == null) {
            return;
        }
        if (!(stringData instanceof Map<?, ?> entries)) {
            throw new IllegalArgumentException(where + ": Secret stringData must be a mapping");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        if (secret.getAdditionalProperties().get("data") instanceof Map<?, ?> existing) {
            existing.forEach((k, v) -> data.put(String.valueOf(k), v));
        }
        entries.forEach((k, v) -> data.put(String.valueOf(k), Base64.getEncoder()
                .encodeToString(String.valueOf(v == null ? "" : v).getBytes(StandardCharsets.UTF_8))));
        secret.getAdditionalProperties().put("data", data);
    }

    /**
     * Creates the object, or replaces it whole if it exists (as {@code kubectl apply} of a whole file ends up);
     * a resourceVersion in the file is dropped so that the file's version wins over the stored one.
     */
    private void apply(ObjectKey key, GenericKubernetesResource object) {
        GenericKubernetesResource copy = serialization.clone(object);
        copy.getMetadata().setResourceVersion(null);
        String json = serialization.asJson(copy);
        String collection = collectionPath(key);
        EmbeddedApiServer.Reply reply = api.write("POST", collection, json);
        if (reply.code() == 409) {
            reply = api.write("PUT", collection + "/" + key.name(), json);
        }
        refusedUnlessOk(reply);
        if (isCrd(key)) {
            learn(serialization.convertValue(object, CustomResourceDefinition.class));
        }
    }

    private void delete(ObjectKey key) {
        EmbeddedApiServer.Reply reply = api.write("DELETE", collectionPath(key) + "/" + key.name(), null);
        if (reply.code() != 404) {
            refusedUnlessOk(reply);
        }
    }

    /** The API path of the collection {@code key}'s object lives in, e.g. /apis/g/v1/namespaces/ns/kinds. */
    private String collectionPath(ObjectKey key) {
        ResourceDefinitionContext context = context(key.apiVersion(), key.kind());
        String group = context.getGroup();
        StringBuilder path = new StringBuilder(group == null || group.isEmpty() ? "/api/" : "/apis/" + group + "/")
                .append(context.getVersion());
        if (context.isNamespaceScoped() && key.namespace() != null) {
            path.append("/namespaces/").append(key.namespace());
        }
        return path.append('/').append(context.getPlural()).toString();
    }

    /** An answer other than 2xx becomes an error with the API server's own message (never the object sent). */
    private void refusedUnlessOk(EmbeddedApiServer.Reply reply) {
        if (reply.ok()) {
            return;
        }
        String message = null;
        try {
            Status status = serialization.unmarshal(reply.body(), Status.class);
            message = status == null ? null : status.getMessage();
        } catch (RuntimeException e) {
            // not a Status: say only the code
        }
        throw new KubernetesClientException("the API server refused it (" + reply.code() + ")"
                + (blank(message) ? "" : ": " + message), reply.code(), null);
    }

    ResourceDefinitionContext context(String apiVersion, String kind) {
        ResourceDefinitionContext custom = customKinds.get(apiVersion + "/" + kind);
        if (custom != null) {
            return custom;
        }
        Class<? extends KubernetesResource> type = serialization.getRegisteredKubernetesResource(apiVersion, kind);
        if (type != null && type != GenericKubernetesResource.class) {
            return ResourceDefinitionContext.fromResourceType(type);
        }
        int slash = apiVersion.indexOf('/');
        return new ResourceDefinitionContext.Builder()
                .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .withVersion(apiVersion.substring(slash + 1))
                .withKind(kind)
                .withPlural(Pluralize.toPlural(kind.toLowerCase(Locale.ROOT)))
                .withNamespaced(!CLUSTER_SCOPED.contains(kind))
                .build();
    }

    private void learn(CustomResourceDefinition crd) {
        var spec = crd.getSpec();
        for (CustomResourceDefinitionVersion version : spec.getVersions()) {
            ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                    .withGroup(spec.getGroup())
                    .withVersion(version.getName())
                    .withKind(spec.getNames().getKind())
                    .withPlural(spec.getNames().getPlural())
                    .withNamespaced("Namespaced".equals(spec.getScope()))
                    .build();
            customKinds.put(spec.getGroup() + "/" + version.getName() + "/" + spec.getNames().getKind(), context);
            if (version.getSchema() != null && version.getSchema().getOpenAPIV3Schema() != null) {
                schemas.learn(spec.getGroup() + "/" + version.getName(), spec.getNames().getKind(),
                        serialization.convertValue(version.getSchema().getOpenAPIV3Schema(), Map.class));
            }
        }
    }

    private static boolean isCrd(ObjectKey key) {
        return "CustomResourceDefinition".equals(key.kind()) && key.apiVersion().startsWith("apiextensions.k8s.io/");
    }

    /** YAML parser messages quote the offending line, which may hold a password: report only where. */
    private static String readProblem(Exception e) {
        if (e instanceof JsonProcessingException json) {
            JsonLocation at = json.getLocation();
            return at == null ? "invalid YAML"
                    : "invalid YAML at line " + at.getLineNr() + ", column " + at.getColumnNr();
        }
        return message(e);
    }

    /** A name the API server can put in a path: what it requires of every object's name, whatever the kind. */
    static boolean pathSegment(String name) {
        if (name.length() > 253 || name.equals(".") || name.equals("..")) {
            return false;
        }
        return name.chars().noneMatch(c -> c <= ' ' || c == 0x7f || "/%?#".indexOf(c) >= 0);
    }

    /** A DNS label, as the API server requires of a namespace's name. */
    static boolean dnsLabel(String name) {
        if (name.isEmpty() || name.length() > 63) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (c != '-' || i == 0 || i == name.length() - 1)) {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String message(Exception e) {
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
}
