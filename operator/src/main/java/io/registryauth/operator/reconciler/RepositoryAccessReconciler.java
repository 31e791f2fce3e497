package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.registryauth.api.v1alpha1.CredentialsSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.api.v1alpha1.RepositoryAccessStatus;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.tolerance.Unreadable;
import io.registryauth.realm.policy.Grant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tells in a grant's status whether it is enforced, and why not (GrantModel decides, as for the realm).
 * Re-reconciled when its RegistryAuth appears, changes or goes: a primary-cache index from "namespace/name"
 * of the target to the grants naming it maps RegistryAuth events back to grants.
 *
 * <p>A grant with spec.credentials also gets its pull Secret ({@link PullSecrets}): written while the grant
 * is enforced, looked at again when it is due for rotation or its previous password's grace ends, put back
 * when edited (its informer reports every change), and deleted, with its service-account references, when
 * the grant stops asking for it or goes (a finalizer: the mock API server and dev mode collect no garbage).
 *
 * <p>Only a grant with something to clean up carries the finalizer: one that asks for credentials, or whose
 * status still names some. The reconciler is told of every event (JOSDK's all-events mode) and adds and
 * removes the finalizer itself, so a plain grant costs one write (its status), not two. The finalizer's name
 * is the one JOSDK gave it before, so grants written by an earlier version are released the same way.
 */
@ControllerConfiguration(name = RepositoryAccessReconciler.NAME, triggerReconcilerOnAllEvents = true)
public class RepositoryAccessReconciler implements Reconciler<RepositoryAccess> {
    public static final String NAME = "repositoryaccess";
    static final String FINALIZER = HasMetadata.getFullResourceName(RepositoryAccess.class) + "/finalizer";
    static final String TARGET_INDEX = "registryauth-target";
    static final String REGISTRY_AUTH_NOT_READY = "RegistryAuthNotReady";
    static final String SERVICE_ACCOUNT_INDEX = "pull-service-accounts";
    static final String CREDENTIALS_CONFLICT = "CredentialsConflict";
    static final String ACTIVE = "Active";
    /** A look again, should the RegistryAuth's first status never come (its own event normally comes first). */
    static final Duration UNSEEN_TARGET_RETRY = Duration.ofSeconds(10);

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
        InformerEventSource<Secret, RepositoryAccess> pullSecrets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, RepositoryAccess.class)
                        .withName("pull-secrets")
                        .withLabelSelector(ResourceNames.ROBOT_FOR_LABEL)
                        .withSecondaryToPrimaryMapper(secret -> Set.of(new ResourceID(
                                secret.getMetadata().getLabels().get(ResourceNames.ROBOT_FOR_LABEL),
                                secret.getMetadata().getNamespace())))
                        .build(), context);
        // A service account created after its grant still gets the Secret listed.
        context.getPrimaryCache().addIndexer(SERVICE_ACCOUNT_INDEX, grant -> grant.getSpec() == null
                || grant.getSpec().getCredentials() == null ? List.of()
                : grant.getSpec().getCredentials().getServiceAccounts().stream()
                        .map(sa -> ResourceNames.key(grant.getMetadata().getNamespace(), sa)).toList());
        InformerEventSource<ServiceAccount, RepositoryAccess> serviceAccounts = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ServiceAccount.class, RepositoryAccess.class)
                        .withName("pull-service-accounts")
                        .withSecondaryToPrimaryMapper(sa -> context.getPrimaryCache()
                                .byIndex(SERVICE_ACCOUNT_INDEX, ResourceNames.key(sa)).stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .build(), context);
        return List.of(registryAuths, pullSecrets, serviceAccounts);
    }

    /** A grant going: its Secrets and their service-account references are removed, then it is let go. */
    private static void cleanup(RepositoryAccess grant, Context<RepositoryAccess> context) {
        PullSecrets.remove(context.getClient(), grant, null, serviceAccounts(grant),
                PullSecrets.listed(context.getClient(), grant));
        PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), grant, FINALIZER);
    }

    /** Whether the RegistryAuth has never had a status written (its reconciler has not looked at it yet). */
    private static boolean unseen(RegistryAuth auth) {
        return auth.getStatus() == null || (auth.getStatus().getObservedGeneration() == null
                && (auth.getStatus().getConditions() == null || auth.getStatus().getConditions().isEmpty()));
    }

    /** Whether the grant has Secrets to clean up when it goes: it asks for credentials, or its status names some. */
    private static boolean needsFinalizer(RepositoryAccess grant) {
        return grant.getSpec() != null && grant.getSpec().getCredentials() != null
                || grant.getStatus() != null && grant.getStatus().getCredentials() != null;
    }

    /** The service accounts that may list the grant's Secret: those asked for now and those patched before. */
    private static Set<String> serviceAccounts(RepositoryAccess grant) {
        Set<String> accounts = new java.util.TreeSet<>();
        if (grant.getSpec() != null && grant.getSpec().getCredentials() != null) {
            accounts.addAll(grant.getSpec().getCredentials().getServiceAccounts());
        }
        if (grant.getStatus() != null && grant.getStatus().getCredentials() != null) {
            accounts.addAll(grant.getStatus().getCredentials().getServiceAccounts());
        }
        return accounts;
    }

    @Override
    public UpdateControl<RepositoryAccess> reconcile(RepositoryAccess grant, Context<RepositoryAccess> context) {
        if (context.isPrimaryResourceDeleted()) {
            // Gone; one that had anything to clean up held the finalizer until it was cleaned up.
            return UpdateControl.noUpdate();
        }
        if (grant.isMarkedForDeletion()) {
            if (grant.hasFinalizer(FINALIZER)) {
                cleanup(grant, context);
            }
            return UpdateControl.noUpdate();
        }
        RegistryAuth target = context.getSecondaryResource(RegistryAuth.class).orElse(null);
        if (target != null && unseen(target)) {
            // Its RegistryAuth has not been looked at yet (a start, a new one): its first status write re-triggers
            // this grant (TARGET_INDEX). Writing "not Ready" now would be written over in a moment, and at a start
            // with thousands of grants those writes would hold back the RegistryAuth's own signing key.
            return UpdateControl.<RepositoryAccess>noUpdate().rescheduleAfter(UNSEEN_TARGET_RETRY);
        }
        if (!Unreadable.is(grant) && needsFinalizer(grant)) {
            // Before any Secret is written, so none can outlive the grant.
            grant = PrimaryUpdateAndCacheUtils.addFinalizer(context.getClient(), grant, FINALIZER);
        }
        Instant now = settings.clock().instant();
        Optional<String> unreadable = Unreadable.problem(grant);
        List<GrantModel.Problem> problems = unreadable.isPresent()
                ? List.of(new GrantModel.Problem(Unreadable.REASON, unreadable.get() + Unreadable.GRANT_CONSEQUENCE))
                : GrantModel.problems(grant, target);
        RepositoryAccessStatus previous = grant.getStatus() == null ? new RepositoryAccessStatus() : grant.getStatus();
        RepositoryAccessStatus next = new RepositoryAccessStatus();
        Long generation = grant.getMetadata().getGeneration();
        next.setObservedGeneration(generation);
        next.setCredentials(previous.getCredentials());
        Optional<Instant> nextLook = Optional.empty();
        Optional<String> conflict = Optional.empty();
        CredentialsSpec credentials = grant.getSpec() == null ? null : grant.getSpec().getCredentials();
        // From the informer cache: a Secret it has not seen yet comes back as an event and is handled then.
        Set<Secret> pullSecrets = context.getSecondaryResources(Secret.class);
        if (unreadable.isPresent()) {
            // What it asks for is unknown: its Secret is neither written nor taken away until it can be read.
        } else if (credentials == null) {
            PullSecrets.remove(context.getClient(), grant, null, serviceAccounts(grant), pullSecrets);
            next.setCredentials(null);
        } else if (problems.isEmpty()) {
            PullSecrets.remove(context.getClient(), grant, credentials.getSecretName(), serviceAccounts(grant),
                    pullSecrets);
            try {
                PullSecrets.Outcome written = PullSecrets.apply(context.getClient(), grant, target, now);
                // Accounts no longer asked for give the Secret back.
                if (previous.getCredentials() != null) {
                    for (String account : previous.getCredentials().getServiceAccounts()) {
                        if (!written.status().getServiceAccounts().contains(account)
                                && !credentials.getServiceAccounts().contains(account)) {
                            PullSecrets.unlist(context.getClient(), grant.getMetadata().getNamespace(), account,
                                    credentials.getSecretName());
                        }
                    }
                }
                next.setCredentials(written.status());
                nextLook = written.nextLook();
            } catch (PullSecrets.SecretNameTaken e) {
                conflict = Optional.of(e.getMessage());
            }
        }
        List<Condition> conditions;
        if (problems.isEmpty()) {
            conditions = Conditions.set(previous.getConditions(), Conditions.ACCEPTED, true, "Accepted",
                    "Enforced by RegistryAuth " + target(grant).orElse("?"), generation, now);
            boolean targetReady = target != null && target.getStatus() != null
                    && Conditions.isTrue(target.getStatus().getConditions(), Conditions.READY);
            if (conflict.isPresent()) {
                // Enforced for its subjects, but its robot has no Secret to live in.
                conditions = Conditions.set(conditions, Conditions.READY, false, CREDENTIALS_CONFLICT,
                        conflict.get(), generation, now);
                if (!CREDENTIALS_CONFLICT.equals(previous.condition(Conditions.READY).map(Condition::getReason)
                        .orElse(""))) {
                    new EventRecorder(context.getClient(), settings.clock()).record(grant, EventRecorder.WARNING,
                            CREDENTIALS_CONFLICT, conflict.get());
                }
            } else {
                conditions = targetReady
                        ? Conditions.set(conditions, Conditions.READY, true, "Ready", "Grant is enforced", generation,
                                now)
                        : Conditions.set(conditions, Conditions.READY, false, REGISTRY_AUTH_NOT_READY,
                                "RegistryAuth " + target(grant).orElse("?") + " is not Ready", generation, now);
            }
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
        conditions = validityConditions(conditions, problems.isEmpty() ? GrantModel.validity(grant, now)
                : Optional.empty(), grant, generation, now);
        next.setConditions(conditions);
        if (!next.equals(previous)) {
            // Replaced under the resourceVersion read, not JSON-patched against a cache that may lag (whose list
            // indexes would hit another list); cached so the next reconcile starts from it.
            grant = PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(grant, context, r -> {
                r.setStatus(next);
                return r;
            });
        }
        if (unreadable.isEmpty() && !needsFinalizer(grant) && grant.hasFinalizer(FINALIZER)) {
            // Nothing left to clean up (credentials no longer asked for and their Secret gone, or a grant from
            // a version that gave every grant the finalizer).
            PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), grant, FINALIZER);
        }
        UpdateControl<RepositoryAccess> control = UpdateControl.noUpdate();
        // Come back for the rotation or the end of the previous password's grace.
        nextLook.ifPresent(at -> control.rescheduleAfter(Duration.between(now, at).plusSeconds(1)));
        // And when the grant starts or stops counting, so the Active condition follows (the realm does not wait).
        Optional<Instant> boundary = problems.isEmpty() ? GrantModel.nextBoundary(grant, now) : Optional.empty();
        if (boundary.isPresent() && (nextLook.isEmpty() || boundary.get().isBefore(nextLook.get()))) {
            control.rescheduleAfter(Duration.between(now, boundary.get()).plusMillis(100));
        }
        return control;
    }

    /**
     * The Active condition of a grant with a validity period (True while it counts; reason Pending, Active or
     * Expired, what the Validity column shows), and Ready false outside the period; no Active condition for a
     * grant without one.
     */
    static List<Condition> validityConditions(List<Condition> conditions, Optional<Grant.Validity> validity,
                                              RepositoryAccess grant, Long generation, Instant now) {
        if (validity.isEmpty()) {
            return new java.util.ArrayList<>(conditions.stream().filter(c -> !ACTIVE.equals(c.getType())).toList());
        }
        String from = grant.getSpec().getValidFrom();
        String until = grant.getSpec().getValidUntil();
        String reason;
        String message;
        switch (validity.get()) {
            case PENDING -> {
                reason = "Pending";
                message = "Counts from " + from;
            }
            case EXPIRED -> {
                reason = "Expired";
                message = "Stopped counting at " + until;
            }
            default -> {
                reason = "Active";
                message = until == null ? "Counts since " + from : "Counts until " + until;
            }
        }
        boolean active = validity.get() == Grant.Validity.ACTIVE;
        List<Condition> out = Conditions.set(conditions, ACTIVE, active, reason, message, generation, now);
        if (!active && Conditions.isTrue(out, Conditions.READY)) {
            out = Conditions.set(out, Conditions.READY, false, reason, message, generation, now);
        }
        return out;
    }
}
