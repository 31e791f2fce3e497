package io.registryauth.cli.review;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.cli.CliException;
import io.registryauth.operator.Clients;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The RegistryAuth and RepositoryAccess objects a review looks at: read from a directory of YAML (as a GitOps
 * repository holds them; every {@code .yaml}/{@code .yml} file below it, several documents per file, other
 * kinds ignored, a missing namespace read as {@code default} as {@code kubectl apply} does) or listed from
 * the cluster of the current kubeconfig (get and list only).
 */
public record Inventory(String origin, List<RegistryAuth> registryAuths, List<RepositoryAccess> grants) {
    public static final String DEFAULT_NAMESPACE = "default";
    private static final String GROUP = RegistryAuth.GROUP + "/";

    public Inventory {
        registryAuths = List.copyOf(registryAuths);
        grants = List.copyOf(grants);
    }

    /** Every RegistryAuth and RepositoryAccess in the YAML files under {@code dir}. */
    public static Inventory read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CliException(dir + " is not a directory");
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<RegistryAuth> auths = new ArrayList<>();
        List<RepositoryAccess> grants = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Inventory::isYaml).sorted().toList();
        } catch (IOException e) {
            throw new CliException("cannot list " + dir + ": " + e.getMessage());
        }
        for (Path file : files) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                 MappingIterator<Object> documents = yaml.readerFor(Object.class).readValues(reader)) {
                int index = 0;
                while (documents.hasNext()) {
                    Object document = documents.next();
                    index++;
                    if (!(document instanceof Map<?, ?> map) || !(map.get("apiVersion") instanceof String api)
                            || !api.startsWith(GROUP)) {
                        continue;
                    }
                    String where = dir.relativize(file) + " (document " + index + ")";
                    try {
                        if ("RegistryAuth".equals(map.get("kind"))) {
                            auths.add(defaulted(serialization.convertValue(map, RegistryAuth.class)));
                        } else if ("RepositoryAccess".equals(map.get("kind"))) {
                            grants.add(defaulted(serialization.convertValue(map, RepositoryAccess.class)));
                        }
                    } catch (IllegalArgumentException e) {
                        throw new CliException(where + " cannot be read: " + e.getMessage());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof CliException cli) {
                    throw cli;
                }
                throw new CliException(dir.relativize(file) + " is not readable YAML: " + e.getMessage());
            }
        }
        return new Inventory(dir.toString(), auths, grants);
    }

    /** Every RegistryAuth and RepositoryAccess of the current kubeconfig's cluster, in every namespace. */
    public static Inventory cluster() {
        try (KubernetesClient client = Clients.configure(new KubernetesClientBuilder()).build()) {
            return new Inventory("cluster " + client.getMasterUrl(),
                    client.resources(RegistryAuth.class).inAnyNamespace().list().getItems(),
                    client.resources(RepositoryAccess.class).inAnyNamespace().list().getItems());
        } catch (RuntimeException e) {
            throw new CliException("cannot read RegistryAuths and RepositoryAccesses from the cluster: "
                    + e.getMessage());
        }
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T defaulted(T object) {
        if (object.getMetadata() == null || object.getMetadata().getName() == null) {
            throw new IllegalArgumentException("metadata.name is missing");
        }
        if (object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isBlank()) {
            object.getMetadata().setNamespace(DEFAULT_NAMESPACE);
        }
        return object;
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(file);
    }
}
