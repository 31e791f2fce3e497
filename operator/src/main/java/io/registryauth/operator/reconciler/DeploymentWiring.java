package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMapVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistrySpec;
import io.registryauth.operator.ResourceNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Wires a registry Deployment to its RegistryAuth's ConfigMap (volume, mount, envFrom, bundle-hash
 * annotation that rolls the pods) and tells when a rollout has finished. Touches only what it adds.
 */
final class DeploymentWiring {
    static final String DEFAULT_CONTAINER = "registry";

    private DeploymentWiring() {
    }

    /** The container to wire: the named one, else one named "registry", else the first. */
    static Optional<Container> container(Deployment deployment, RegistrySpec spec) {
        List<Container> containers = Optional.ofNullable(deployment.getSpec())
                .map(s -> s.getTemplate()).map(PodTemplateSpec::getSpec).map(PodSpec::getContainers)
                .orElse(List.of());
        if (spec.getContainer() != null && !spec.getContainer().isBlank()) {
            return containers.stream().filter(c -> spec.getContainer().equals(c.getName())).findFirst();
        }
        return containers.stream().filter(c -> DEFAULT_CONTAINER.equals(c.getName())).findFirst()
                .or(() -> containers.stream().findFirst());
    }

    /**
     * Adds (or corrects) the wiring on {@code deployment} in place; returns whether anything changed. The
     * caller has checked that {@link #container} finds the container.
     */
    static boolean wire(Deployment deployment, RegistryAuth auth, String bundleHash) {
        RegistrySpec spec = auth.getSpec().getRegistry();
        String configMap = ResourceNames.registryConfigMap(auth);
        boolean changed = false;

        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(
                deployment.getMetadata().getLabels(), Map.of()));
        if (!auth.getMetadata().getName().equals(labels.put(ResourceNames.REGISTRY_AUTH_LABEL,
                auth.getMetadata().getName()))) {
            deployment.getMetadata().setLabels(labels);
            changed = true;
        }

        PodTemplateSpec template = deployment.getSpec().getTemplate();
        if (template.getMetadata() == null) {
            template.setMetadata(new ObjectMeta());
        }
        Map<String, String> annotations = new HashMap<>(Objects.requireNonNullElse(
                template.getMetadata().getAnnotations(), Map.of()));
        if (!bundleHash.equals(annotations.put(ResourceNames.BUNDLE_HASH_ANNOTATION, bundleHash))) {
            template.getMetadata().setAnnotations(annotations);
            changed = true;
        }

        PodSpec pod = template.getSpec();
        List<Volume> volumes = new ArrayList<>(Objects.requireNonNullElse(pod.getVolumes(), List.of()));
        Volume volume = new VolumeBuilder().withName(ResourceNames.VOLUME)
                .withConfigMap(new ConfigMapVolumeSourceBuilder().withName(configMap).build()).build();
        changed |= replaceByName(volumes, volume, Volume::getName, DeploymentWiring::sameVolume);
        pod.setVolumes(volumes);

        Container container = container(deployment, spec).orElseThrow();
        List<VolumeMount> mounts = new ArrayList<>(Objects.requireNonNullElse(container.getVolumeMounts(),
                List.of()));
        VolumeMount mount = new VolumeMountBuilder().withName(ResourceNames.VOLUME)
                .withMountPath(spec.getMountPath()).withReadOnly(true).build();
        changed |= replaceByName(mounts, mount, VolumeMount::getName,
                (a, b) -> Objects.equals(a.getMountPath(), b.getMountPath())
                        && Boolean.TRUE.equals(a.getReadOnly()) == Boolean.TRUE.equals(b.getReadOnly()));
        container.setVolumeMounts(mounts);

        List<EnvFromSource> envFrom = new ArrayList<>(Objects.requireNonNullElse(container.getEnvFrom(),
                List.of()));
        boolean hasEnvFrom = envFrom.stream().anyMatch(e -> e.getConfigMapRef() != null
                && configMap.equals(e.getConfigMapRef().getName()));
        if (!hasEnvFrom) {
            envFrom.add(new EnvFromSourceBuilder().withNewConfigMapRef().withName(configMap).endConfigMapRef()
                    .build());
            container.setEnvFrom(envFrom);
            changed = true;
        }
        return changed;
    }

    /**
     * The bundle hash the Deployment's pods all run with, or null while a rollout is in progress (or the
     * pods were never wired): every replica updated, ready, and the status written for the current spec.
     */
    static String rolledOutBundleHash(Deployment deployment) {
        PodTemplateSpec template = deployment.getSpec() == null ? null : deployment.getSpec().getTemplate();
        String hash = template == null || template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null ? null
                : template.getMetadata().getAnnotations().get(ResourceNames.BUNDLE_HASH_ANNOTATION);
        DeploymentStatus status = deployment.getStatus();
        if (hash == null || status == null) {
            return null;
        }
        int wanted = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        long generation = Objects.requireNonNullElse(deployment.getMetadata().getGeneration(), 0L);
        boolean observed = Objects.requireNonNullElse(status.getObservedGeneration(), 0L) >= generation;
        boolean done = observed
                && count(status.getUpdatedReplicas()) == wanted
                && count(status.getReplicas()) == wanted
                && count(status.getReadyReplicas()) == wanted;
        return done ? hash : null;
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }

    private static boolean sameVolume(Volume a, Volume b) {
        return a.getConfigMap() != null && b.getConfigMap() != null
                && Objects.equals(a.getConfigMap().getName(), b.getConfigMap().getName());
    }

    private static <T> boolean replaceByName(List<T> items, T wanted, Function<T, String> name,
                                             BiPredicate<T, T> same) {
        for (int i = 0; i < items.size(); i++) {
            if (Objects.equals(name.apply(items.get(i)), name.apply(wanted))) {
                if (same.test(items.get(i), wanted)) {
                    return false;
                }
                items.set(i, wanted);
                return true;
            }
        }
        items.add(wanted);
        return true;
    }
}
