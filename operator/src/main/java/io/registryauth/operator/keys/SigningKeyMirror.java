package io.registryauth.operator.keys;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.registryauth.operator.ResourceNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies each RegistryAuth's signing keys into one Secret in the operator's own namespace,
 * {@value #SECRET_NAME}, which every replica mounts (manifests/04-deployment.yaml): a pod can mount Secrets of
 * its own namespace only, and a replica restarted while the API server is unreachable needs the keys to
 * serve from its persisted inputs. Data keys are {@code <namespace>_<secret name>_<key>} ('_' occurs in
 * neither a namespace nor a Secret name). Written by the leader after each key step, only when different;
 * a failure is logged and retried at the next reconcile, since tokens never depend on it. Entries of signing
 * Secrets no RegistryAuth names any more (a deleted RegistryAuth) are dropped at the next write or reconcile
 * of any other one.
 */
public final class SigningKeyMirror {
    public static final String SECRET_NAME = "registry-auth-signing-keys";
    private static final Logger LOG = LoggerFactory.getLogger(SigningKeyMirror.class);

    private SigningKeyMirror() {
    }

    public static String dataKey(String namespace, String secretName, String key) {
        return namespace + "_" + secretName + "_" + key;
    }

    /** Makes the mirror in {@code operatorNamespace} hold {@code signing}'s data; nothing without a namespace. */
    public static void update(KubernetesClient client, String operatorNamespace, Secret signing) {
        update(client, operatorNamespace, signing, null);
    }

    /**
     * As {@link #update(KubernetesClient, String, Secret)}, and drops the entries of every signing Secret
     * outside {@code live} ({@code <namespace>/<secret name>} of each RegistryAuth that exists); null keeps them.
     */
    public static void update(KubernetesClient client, String operatorNamespace, Secret signing, Set<String> live) {
        if (operatorNamespace == null || signing == null || signing.getData() == null) {
            return;
        }
        String prefix = dataKey(signing.getMetadata().getNamespace(), signing.getMetadata().getName(), "");
        Map<String, String> wanted = new TreeMap<>();
        signing.getData().forEach((key, value) -> wanted.put(prefix + key, value));
        try {
            Secret mirror = client.secrets().inNamespace(operatorNamespace).withName(SECRET_NAME).get();
            Map<String, String> data = new TreeMap<>(mirror == null || mirror.getData() == null ? Map.of()
                    : mirror.getData());
            Map<String, String> mine = new TreeMap<>();
            data.forEach((key, value) -> {
                if (key.startsWith(prefix)) {
                    mine.put(key, value);
                }
            });
            boolean stale = live != null && data.keySet().stream().anyMatch(key -> !owned(key, live));
            if (mine.equals(wanted) && !stale) {
                return;
            }
            data.keySet().removeIf(key -> key.startsWith(prefix) || (live != null && !owned(key, live)));
            data.putAll(wanted);
            if (mirror == null) {
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put(ResourceNames.MANAGED_BY_LABEL, ResourceNames.MANAGED_BY);
                client.secrets().inNamespace(operatorNamespace).resource(new SecretBuilder().withNewMetadata()
                        .withName(SECRET_NAME).withNamespace(operatorNamespace).withLabels(labels).endMetadata()
                        .withType("Opaque").withData(data).build()).create();
            } else {
                // Under the resourceVersion read: two RegistryAuths reconciled at once cannot drop each other's keys.
                client.secrets().inNamespace(operatorNamespace).resource(new SecretBuilder(mirror).withData(data)
                        .build()).update();
            }
        } catch (KubernetesClientException e) {
            LOG.warn("cannot copy {} into Secret {}/{} (retried at the next reconcile): {}", ResourceNames.key(signing),
                    operatorNamespace, SECRET_NAME, e.getMessage());
        }
    }

    /** Whether data key {@code key} belongs to one of the {@code live} signing Secrets. */
    private static boolean owned(String key, Set<String> live) {
        String[] parts = key.split("_", 3);
        return parts.length == 3 && live.contains(parts[0] + "/" + parts[1]);
    }
}
