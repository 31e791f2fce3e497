package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAccessStatus;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.model.GrantModel;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tells in a grant's status whether it is enforced, and why not (GrantModel decides, as for the realm).
 * Re-reconciled when its RegistryAuth appears, changes or goes: a primary-cache index from "namespace/name"
 * of the target to the grants naming it maps RegistryAuth events back to grants.
 */
@ControllerConfiguration(name = RepositoryAccessReconciler.NAME)
public class RepositoryAccessReconciler implements Reconciler<RepositoryAccess> {
    public static final String NAME = "repositoryaccess";
    static final String TARGET_INDEX = "registryauth-target";
    static final String REGISTRY_AUTH_NOT_READY = "RegistryAuthNotReady";

    private final OperatorSettings settings;

    public RepositoryAccessReconciler(OperatorSettings settings) {
        this.settings = settings;
    }

    /** "namespace/name" of the RegistryAuth a grant names, or empty without a name. */
    static Optional<String> target(RepositoryAccess grant) {
        if (grant.getSpec() == null || grant.getSpec().getRegistry() == null
                || grant.getSpec().getRegistry().getName() == null) {
            return Optional.empty();
        }
        return Optional.of(ResourceNames.key(grant.getSpec().getRegistry().namespaceOr(
                grant.getMetadata().getNamespace()), grant.getSpec().getRegistry().getName()));
    }

    @Override
    public List<EventSource<?, RepositoryAccess>> prepareEventSources(EventSourceContext<RepositoryAccess> context) {
        context.getPrimaryCache().addIndexer(TARGET_INDEX, grant -> target(grant).map(List::of).orElse(List.of()));
        PrimaryToSecondaryMapper<RepositoryAccess> grantToAuth = grant -> target(grant)
                .map(key -> Set.of(new ResourceID(key.substring(key.indexOf('/') + 1),
                        key.substring(0, key.indexOf('/')))))
                .orElse(Set.of());
        InformerEventSource<RegistryAuth, RepositoryAccess> registryAuths = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(RegistryAuth.class, RepositoryAccess.class)
                        .withName("target-registryauths")
                        .withSecondaryToPrimaryMapper(auth -> context.getPrimaryCache()
                                .byIndex(TARGET_INDEX, ResourceNames.key(auth)).stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .withPrimaryToSecondaryMapper(grantToAuth)
                        .build(), context);
        return List.of(registryAuths);
    }

    @Override
    public UpdateControl<RepositoryAccess> reconcile(RepositoryAccess grant, Context<RepositoryAccess> context) {
        Instant now = settings.clock().instant();
        RegistryAuth target = context.getSecondaryResource(RegistryAuth.class).orElse(null);
        List<GrantModel.Problem> problems = GrantModel.problems(grant, target);
        RepositoryAccessStatus previous = grant.getStatus() == null ? new RepositoryAccessStatus() : grant.getStatus();
        RepositoryAccessStatus next = new RepositoryAccessStatus();
        Long generation = grant.getMetadata().getGeneration();
        next.setObservedGeneration(generation);
        List<Condition> conditions;
        if (problems.isEmpty()) {
            conditions = Conditions.set(previous.getConditions(), Conditions.ACCEPTED, true, "Accepted",
                    "Enforced by RegistryAuth " + target(grant).orElse("?"), generation, now);
            boolean targetReady = target != null && target.getStatus() != null
                    && Conditions.isTrue(target.getStatus().getConditions(), Conditions.READY);
            conditions = targetReady
                    ? Conditions.set(conditions, Conditions.READY, true, "Ready", "Grant is enforced", generation, now)
                    : Conditions.set(conditions, Conditions.READY, false, REGISTRY_AUTH_NOT_READY,
                            "RegistryAuth " + target(grant).orElse("?") + " is not Ready", generation, now);
        } else {
            String reason = problems.get(0).reason();
            String message = problems.stream().map(GrantModel.Problem::message).collect(Collectors.joining("; "));
            conditions = Conditions.set(previous.getConditions(), Conditions.ACCEPTED, false, reason, message,
                    generation, now);
            conditions = Conditions.set(conditions, Conditions.READY, false, reason, message, generation, now);
            boolean wasRejected = Conditions.FALSE.equals(Conditions.status(previous.getConditions(),
                    Conditions.ACCEPTED));
            String previousReason = previous.condition(Conditions.ACCEPTED).map(Condition::getReason).orElse("");
            if (!wasRejected || !previousReason.equals(reason)) {
                new EventRecorder(context.getClient(), settings.clock()).record(grant, EventRecorder.WARNING,
                        "GrantRejected", reason + ": " + message);
            }
        }
        next.setConditions(conditions);
        if (next.equals(previous)) {
            return UpdateControl.noUpdate();
        }
        grant.setStatus(next);
        return UpdateControl.patchStatus(grant);
    }
}
