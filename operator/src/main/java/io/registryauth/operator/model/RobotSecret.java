package io.registryauth.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.ResourceNames;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.RobotPasswords;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a grant's robot out of its generated pull Secret. The password itself stays in the Secret for the
 * kubelet; the realm only ever sees the hashes the operator wrote beside it as annotations.
 */
public final class RobotSecret {
    private RobotSecret() {
    }

    /** The robot's name for {@code grant}. */
    public static String robotName(RepositoryAccess grant) {
        return RobotCredentials.nameFor(grant.getMetadata().getNamespace(), grant.getMetadata().getName());
    }

    /**
     * The robot of {@code grant} as {@code secret} describes it; empty when the Secret is missing, belongs to
     * another grant, or carries no well-formed current hash (the reconciler then writes a new password).
     * The previous hash is kept with its end of grace; the realm checks that end at each login.
     */
    public static Optional<RobotCredentials> credentials(RepositoryAccess grant, Secret secret) {
        if (secret == null || secret.getMetadata() == null
                || !Objects.equals(secret.getMetadata().getNamespace(), grant.getMetadata().getNamespace())
                || secret.getMetadata().getLabels() == null
                || !grant.getMetadata().getName().equals(
                        secret.getMetadata().getLabels().get(ResourceNames.ROBOT_FOR_LABEL))) {
            return Optional.empty();
        }
        Map<String, String> annotations = secret.getMetadata().getAnnotations() == null ? Map.of()
                : secret.getMetadata().getAnnotations();
        String current = annotations.get(ResourceNames.PASSWORD_HASH_ANNOTATION);
        if (!RobotPasswords.wellFormed(current)) {
            return Optional.empty();
        }
        List<RobotCredentials.PasswordHash> hashes = new ArrayList<>();
        hashes.add(RobotCredentials.PasswordHash.current(current));
        previousValidUntil(annotations).ifPresent(until -> {
            String previous = annotations.get(ResourceNames.PREVIOUS_PASSWORD_HASH_ANNOTATION);
            if (RobotPasswords.wellFormed(previous)) {
                hashes.add(new RobotCredentials.PasswordHash(previous, until));
            }
        });
        return Optional.of(new RobotCredentials(robotName(grant), hashes));
    }

    /** The end of the previous password's grace, when the annotation holds a readable instant. */
    public static Optional<Instant> previousValidUntil(Map<String, String> annotations) {
        return instant(annotations.get(ResourceNames.PREVIOUS_VALID_UNTIL_ANNOTATION));
    }

    /** An RFC 3339 instant, when {@code text} is one. */
    public static Optional<Instant> instant(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
