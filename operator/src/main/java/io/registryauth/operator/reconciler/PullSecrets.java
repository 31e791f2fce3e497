package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.CredentialsStatus;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.auth.DockerConfigJson;
import io.registryauth.operator.model.RobotSecret;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.RobotPasswords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a grant's generated pull Secret and keeps it true. The password lives only in the Secret; the
 * hashes beside it (annotations) are what the realm feed turns into the grant's robot. The Secret is put
 * back whenever the password no longer matches its hash: a hand edit therefore costs a new password.
 */
final class PullSecrets {

    /** The grant's pull Secrets as the API server lists them (for the last cleanup, when no cache may be stale). */
    static List<Secret> listed(KubernetesClient client, RepositoryAccess grant) {
        return client.secrets().inNamespace(grant.getMetadata().getNamespace())
                .withLabel(ResourceNames.ROBOT_FOR_LABEL, grant.getMetadata().getName()).list().getItems();
    }

    /** What was written, and when the Secret must be looked at again (rotation or end of grace). */
    record Outcome(CredentialsStatus status, Optional<Instant> nextLook) {
    }

    private PullSecrets() {
    }

    /** The host named in the Secret: spec.registry.host, else the service (usually the registry's host). */
    static String registryHost(RegistryAuth auth) {
        var registry = auth.getSpec().getRegistry();
        return registry != null && registry.getHost() != null && !registry.getHost().isBlank()
                ? registry.getHost() : auth.getSpec().getService();
    }

    /**
     * Creates, rotates or repairs the Secret of an enforced grant and lists it on the named service accounts.
     *
     * @throws SecretNameTaken when a Secret of that name exists and is not this grant's
     */
    static Outcome apply(KubernetesClient client, RepositoryAccess grant, RegistryAuth target, Instant now) {
        CredentialsSpec spec = grant.getSpec().getCredentials();
        String namespace = grant.getMetadata().getNamespace();
        String robot = RobotSecret.robotName(grant);
        String host = registryHost(target);
        Secret existing = client.secrets().inNamespace(namespace).withName(spec.getSecretName()).get();
        if (existing != null && !ownedBy(existing, grant)) {
            throw new SecretNameTaken("Secret " + namespace + "/" + spec.getSecretName()
                    + " exists and was not generated for this grant; choose another spec.credentials.secretName");
        }
        Map<String, String> annotations = existing == null || existing.getMetadata().getAnnotations() == null
                ? Map.of() : existing.getMetadata().getAnnotations();
        String hash = annotations.get(ResourceNames.PASSWORD_HASH_ANNOTATION);
        Optional<String> password = existing == null ? Optional.empty() : password(existing, robot);
        Optional<Instant> rotatedAt = RobotSecret.instant(annotations.get(ResourceNames.ROTATED_AT_ANNOTATION));
        boolean intact = password.isPresent() && RobotPasswords.matches(password.get(), hash) && rotatedAt.isPresent();

        Duration period = spec.rotationPeriodDuration();
        String previousHash = annotations.get(ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION);
        Optional<Instant> previousUntil = RobotSecret.previousValidUntil(annotations);
        if (!intact) {
            // Hand-edited or new: the annotations cannot be trusted, so no earlier password is kept.
            RobotPasswords.Generated fresh = RobotPasswords.generate();
            password = Optional.of(fresh.password());
            hash = fresh.hash();
            rotatedAt = Optional.of(now);
            previousHash = null;
            previousUntil = Optional.empty();
        } else if (!period.isZero() && !now.isBefore(rotatedAt.get().plus(period))) {
            Duration grace = spec.gracePeriodDuration();
            previousHash = grace.isZero() ? null : hash;
            previousUntil = grace.isZero() ? Optional.empty() : Optional.of(now.plus(grace));
            RobotPasswords.Generated fresh = RobotPasswords.generate();
            password = Optional.of(fresh.password());
            hash = fresh.hash();
            rotatedAt = Optional.of(now);
        }
        if (previousUntil.isEmpty() || !now.isBefore(previousUntil.get()) || !RobotPasswords.wellFormed(previousHash)) {
            previousHash = null;
            previousUntil = Optional.empty();
        }

        Map<String, String> desiredAnnotations = new HashMap<>();
        desiredAnnotations.put(ResourceNames.PASSWORD_HASH_ANNOTATION, hash);
        desiredAnnotations.put(ResourceNames.ROTATED_AT_ANNOTATION, rotatedAt.get().toString());
        if (previousHash != null) {
            desiredAnnotations.put(ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION, previousHash);
            desiredAnnotations.put(ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION, previousUntil.get().toString());
        }
        Secret desired = desired(grant, host, robot, password.get(), desiredAnnotations);
        write(client, existing, desired);

        Optional<Instant> nextRotation = period.isZero() ? Optional.empty() : Optional.of(rotatedAt.get().plus(period));
        CredentialsStatus status = new CredentialsStatus();
        status.setSecretName(spec.getSecretName());
        status.setRobot(robot);
        status.setRegistryHost(host);
        status.setRotatedAt(rotatedAt.get().toString());
        nextRotation.ifPresent(t -> status.setNextRotationAt(t.toString()));
        previousUntil.ifPresent(t -> status.setPreviousValidUntil(t.toString()));
        status.setServiceAccounts(listOnServiceAccounts(client, namespace, spec.getServiceAccounts(),
                spec.getSecretName()));
        Optional<Instant> nextLook = nextRotation;
        if (previousUntil.isPresent() && (nextLook.isEmpty() || previousUntil.get().isBefore(nextLook.get()))) {
            nextLook = previousUntil;
        }
        return new Outcome(status, nextLook);
    }

    /**
     * Deletes the grant's pull Secrets among {@code secrets} other than {@code keep} (null: all of them) and
     * takes their names
     * off {@code serviceAccounts}. Owner references would let a real cluster collect the Secrets too; the
     * explicit delete makes revocation immediate and works where no garbage collector runs.
     */
    static void remove(KubernetesClient client, RepositoryAccess grant, String keep, Collection<String> serviceAccounts,
                       Collection<Secret> secrets) {
        String namespace = grant.getMetadata().getNamespace();
        for (Secret secret : secrets) {
            String name = secret.getMetadata().getName();
            if (!name.equals(keep)) {
                client.secrets().inNamespace(namespace).withName(name).delete();
                serviceAccounts.forEach(account -> unlist(client, namespace, account, name));
            }
        }
    }

    /** Takes {@code secretName} off the service accounts that should no longer list it. */
    static void unlist(KubernetesClient client, String namespace, String account, String secretName) {
        ServiceAccount current = client.serviceAccounts().inNamespace(namespace).withName(account).get();
        if (current != null && current.getImagePullSecrets().stream().anyMatch(r -> secretName.equals(r.getName()))) {
            client.serviceAccounts().inNamespace(namespace).withName(account).edit(sa -> {
                sa.getImagePullSecrets().removeIf(r -> secretName.equals(r.getName()));
                return sa;
            });
        }
    }

    /** Adds the Secret to each existing service account once; returns the accounts that list it. */
    private static List<String> listOnServiceAccounts(KubernetesClient client, String namespace,
                                                      List<String> accounts, String secretName) {
        List<String> listed = new ArrayList<>();
        for (String account : new LinkedHashSet<>(accounts)) {
            ServiceAccount current = client.serviceAccounts().inNamespace(namespace).withName(account).get();
            if (current == null) {
                continue;
            }
            if (current.getImagePullSecrets().stream().noneMatch(r -> secretName.equals(r.getName()))) {
                client.serviceAccounts().inNamespace(namespace).withName(account).edit(sa -> {
                    sa.getImagePullSecrets().add(new LocalObjectReference(secretName));
                    return sa;
                });
            }
            listed.add(account);
        }
        return listed;
    }

    static boolean ownedBy(Secret secret, RepositoryAccess grant) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && grant.getMetadata().getName().equals(labels.get(ResourceNames.ROBOT_FOR_LABEL));
    }

    private static Secret desired(RepositoryAccess grant, String host, String robot, String password,
                                  Map<String, String> annotations) {
        return new SecretBuilder()
                .withNewMetadata()
                .withNamespace(grant.getMetadata().getNamespace())
                .withName(grant.getSpec().getCredentials().getSecretName())
                .withLabels(ResourceNames.robotLabels(grant.getMetadata().getName()))
                .withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(grant.getApiVersion())
                        .withKind(grant.getKind()).withName(grant.getMetadata().getName())
                        .withUid(grant.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(false)
                        .build())
                .endMetadata()
                .withType(DockerConfigJson.TYPE)
                .withData(Map.of(DockerConfigJson.KEY, Base64.getEncoder().encodeToString(
                        DockerConfigJson.write(host, robot, password).getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    private static void write(KubernetesClient client, Secret existing, Secret desired) {
        if (existing == null) {
            client.resource(desired).create();
            return;
        }
        if (!DockerConfigJson.TYPE.equals(existing.getType())) {
            // The type of a Secret cannot change: replace it.
            client.resource(existing).delete();
            client.resource(desired).create();
            return;
        }
        ObjectMeta meta = existing.getMetadata();
        boolean same = Objects.equals(existing.getData(), desired.getData())
                && ours(meta.getAnnotations()).equals(desired.getMetadata().getAnnotations())
                && meta.getLabels().entrySet().containsAll(desired.getMetadata().getLabels().entrySet())
                && Objects.equals(meta.getOwnerReferences(), desired.getMetadata().getOwnerReferences());
        if (!same) {
            // Other people's labels and annotations stay; ours are set as desired.
            Map<String, String> labels = new HashMap<>(meta.getLabels());
            labels.putAll(desired.getMetadata().getLabels());
            Map<String, String> annotations = new HashMap<>(meta.getAnnotations() == null ? Map.of()
                    : meta.getAnnotations());
            annotations.keySet().removeIf(PullSecrets::isOurs);
            annotations.putAll(desired.getMetadata().getAnnotations());
            desired.getMetadata().setLabels(labels);
            desired.getMetadata().setAnnotations(annotations);
            desired.getMetadata().setResourceVersion(meta.getResourceVersion());
            client.resource(desired).update();
        }
    }

    private static Map<String, String> ours(Map<String, String> annotations) {
        Map<String, String> out = new HashMap<>();
        if (annotations != null) {
            annotations.forEach((k, v) -> {
                if (isOurs(k)) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    private static boolean isOurs(String annotation) {
        return Set.of(ResourceNames.PASSWORD_HASH_ANNOTATION, ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION,
                ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION, ResourceNames.ROTATED_AT_ANNOTATION).contains(annotation);
    }

    /** The robot's password as the Secret holds it, if the Secret holds exactly one entry, the robot's. */
    static Optional<String> password(Secret secret, String robot) {
        String encoded = secret.getData() == null ? null : secret.getData().get(DockerConfigJson.KEY);
        if (encoded == null) {
            return Optional.empty();
        }
        try {
            return DockerConfigJson.read(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8))
                    .filter(c -> robot.equals(c.username())).map(Credentials::password);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A grant names a Secret that exists and is not its own: reported on the grant, never overwritten. */
    static final class SecretNameTaken extends RuntimeException {
        SecretNameTaken(String message) {
            super(message, null, false, false);
        }
    }
}
