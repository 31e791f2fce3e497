package io.registryauth.operator.tolerance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * Marks a custom resource that could not be read. {@link TolerantSerialization} hands such an object on with
 * its metadata (and its status, when that could be read) but without a spec, and notes here why: the
 * informers keep running, the reconcilers write the problem into its status, and the realm feed leaves it
 * out (or keeps the version it last read). The mark lives in memory only: it is an annotation of the
 * deserialised copy, which status writes (the status subresource) and finalizer patches never send back.
 */
public final class Unreadable {
    /** The annotation holding the problem: "field path: what is wrong". */
    public static final String ANNOTATION = "registryauth.io/unreadable";
    /** The reason reconcilers put on the Ready (and Accepted) condition. */
    public static final String REASON = "Unreadable";
    /** What an unreadable RegistryAuth means for its realm (the feed keeps the version it read last). */
    public static final String REGISTRY_AUTH_CONSEQUENCE =
            "; the realm keeps serving the version read before, if any, until this is fixed";
    /** What an unreadable grant means: nothing it says can be trusted, so it grants nothing. */
    public static final String GRANT_CONSEQUENCE = "; the grant is not enforced until this is fixed";

    private Unreadable() {
    }

    /** Why {@code resource} could not be read, if it could not. */
    public static Optional<String> problem(HasMetadata resource) {
        if (resource == null || resource.getMetadata() == null) {
            return Optional.empty();
        }
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(ANNOTATION));
    }

    public static boolean is(HasMetadata resource) {
        return problem(resource).isPresent();
    }
}
