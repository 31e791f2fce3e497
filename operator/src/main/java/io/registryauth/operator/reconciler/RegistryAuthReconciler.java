package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.registryauth.api.v1alpha1.KeyAlgorithm;
import io.registryauth.api.v1alpha1.KeyStatus;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RegistryAuthSpec;
import io.registryauth.api.v1alpha1.RegistryAuthStatus;
import io.registryauth.api.v1alpha1.RegistrySpec;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.keys.KeyRotation;
import io.registryauth.operator.keys.SigningKeyMirror;
import io.registryauth.operator.keys.SigningKeySecret;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.tolerance.Unreadable;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.realm.sign.SigningAlgorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a RegistryAuth into its signing-key Secret (read-modify-written here: keys are generated once and
 * rotated step by step), the registry ConfigMap (a dependent, reconciled once the keys are settled), the
 * wiring of the registry Deployment, and a status with a Ready condition. A bad spec never throws: it
 * becomes Ready=False with a reason and message, and an Event.
 */
@Workflow(explicitInvocation = true, dependents = @Dependent(type = RegistryConfigMapDependentResource.class))
@ControllerConfiguration(name = RegistryAuthReconciler.NAME)
public class RegistryAuthReconciler implements Reconciler<RegistryAuth> {
    public static final String NAME = "registryauth";
    /** How often to look again while waiting for something no informer here reports (a referenced Secret). */
    static final Duration RECHECK = Duration.ofSeconds(30);
    static final String READY = "Ready";
    static final String INVALID_SERVICE = "InvalidService";
    static final String DUPLICATE_SERVICE = "DuplicateService";
    static final String INVALID_SPEC = "InvalidSpec";
    static final String REALM_URL_MISSING = "RealmUrlMissing";
    static final String INVALID_SIGNING_SECRET = "InvalidSigningSecret";
    static final String DEPLOYMENT_NOT_FOUND = "DeploymentNotFound";
    static final String CONTAINER_NOT_FOUND = "ContainerNotFound";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuthReconciler.class);
    private static final Pattern SERVICE = Pattern.compile(RegistryAuthSpec.SERVICE_PATTERN);
    private static final Pattern REALM = Pattern.compile("^https?://[^?#\\s]+$");

    private final OperatorSettings settings;
    private final RealmProblemSignal problems;

    public RegistryAuthReconciler(OperatorSettings settings, RealmProblemSignal problems) {
        this.settings = settings;
        this.problems = problems;
    }

    @Override
    public List<EventSource<?, RegistryAuth>> prepareEventSources(EventSourceContext<RegistryAuth> context) {
        // Both informers see only what carries the RegistryAuth label; the label names the primary.
        SecondaryToPrimaryMapper<Secret> secretToAuth = byLabel();
        InformerEventSource<Secret, RegistryAuth> secrets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, RegistryAuth.class)
                        .withName("signing-secrets")
                        .withLabelSelector(ResourceNames.MANAGED_SELECTOR)
                        .withSecondaryToPrimaryMapper(secretToAuth)
                        .build(), context);
        SecondaryToPrimaryMapper<Deployment> deploymentToAuth = byLabel();
        InformerEventSource<Deployment, RegistryAuth> deployments = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Deployment.class, RegistryAuth.class)
                        .withName("registry-deployments")
                        .withLabelSelector(ResourceNames.REGISTRY_AUTH_LABEL)
                        .withSecondaryToPrimaryMapper(deploymentToAuth)
                        .build(), context);
        // Users' htpasswd and groups Secrets carry no label: the realm feed follows them and signals.
        return List.of(secrets, deployments, problems.eventSource());
    }

    private static <R extends HasMetadata> SecondaryToPrimaryMapper<R> byLabel() {
        return resource -> {
            String name = resource.getMetadata().getLabels() == null ? null
                    : resource.getMetadata().getLabels().get(ResourceNames.REGISTRY_AUTH_LABEL);
            return name == null ? Set.of() : Set.of(new ResourceID(name, resource.getMetadata().getNamespace()));
        };
    }

    @Override
    public UpdateControl<RegistryAuth> reconcile(RegistryAuth auth, Context<RegistryAuth> context) {
        Instant now = settings.clock().instant();
        KubernetesClient client = context.getClient();
        EventRecorder events = new EventRecorder(client, settings.clock());
        RegistryAuthStatus previous = auth.getStatus() == null ? new RegistryAuthStatus() : auth.getStatus();
        RegistryAuthStatus status = new RegistryAuthStatus();
        status.setObservedGeneration(auth.getMetadata().getGeneration());
        status.setConditions(previous.getConditions());
        status.setKeys(previous.getKeys());
        status.setActiveKeyId(previous.getActiveKeyId());

        Optional<GrantModel.Problem> specProblem = specProblem(auth, context);
        if (specProblem.isPresent()) {
            // Nothing is produced for a spec that cannot be served; what exists stays as it was.
            return finish(auth, context, previous, notReady(status, auth, specProblem.get(), now), events,
                    Optional.ofNullable(specProblem.get().reason().equals(DUPLICATE_SERVICE) ? RECHECK : null));
        }
        RegistryAuthSpec spec = auth.getSpec();
        status.setService(spec.getService());
        status.setRealm(realmUrl(spec));

        String namespace = auth.getMetadata().getNamespace();
        Secret secret = client.secrets().inNamespace(namespace).withName(ResourceNames.signingSecret(auth)).get();
        SigningKeySecret.Contents stored;
        try {
            stored = SigningKeySecret.read(secret).orElse(null);
        } catch (IllegalArgumentException e) {
            // Never generate over keys that may still be trusted: a person decides (deleting the Secret).
            return finish(auth, context, previous, notReady(status, auth, new GrantModel.Problem(INVALID_SIGNING_SECRET,
                    "Secret " + ResourceNames.signingSecret(auth) + " cannot be read (" + e.getMessage()
                            + "); fix it or delete it to generate new keys"), now), events, Optional.of(RECHECK));
        }

        List<GrantModel.Problem> problems = new ArrayList<>();
        RegistrySpec registry = spec.getRegistry();
        boolean wired = registry != null && registry.getDeployment() != null && !registry.getDeployment().isBlank();
        Deployment deployment = null;
        KeyRotation.Registry gate;
        if (wired) {
            deployment = client.apps().deployments().inNamespace(namespace).withName(registry.getDeployment()).get();
            if (deployment == null) {
                problems.add(new GrantModel.Problem(DEPLOYMENT_NOT_FOUND, "Deployment " + registry.getDeployment()
                        + " does not exist in namespace " + namespace));
            } else if (DeploymentWiring.container(deployment, registry).isEmpty()) {
                problems.add(new GrantModel.Problem(CONTAINER_NOT_FOUND, "Deployment " + registry.getDeployment()
                        + " has no container " + Objects.requireNonNullElse(registry.getContainer(),
                        DeploymentWiring.DEFAULT_CONTAINER)));
                deployment = null;
            }
            gate = new KeyRotation.Registry.Deployment(
                    deployment == null ? null : DeploymentWiring.rolledOutBundleHash(deployment));
        } else {
            gate = new KeyRotation.Registry.Unwired(
                    spec.getSigning().rotationLeadTimeDuration().orElse(settings.rotationLeadTime()));
        }

        KeyRotation.Step step = KeyRotation.next(stored, policy(auth), gate, now);
        if (step.changed()) {
            secret = writeSecret(client, auth, secret, step.contents());
            step.changes().forEach(c -> events.record(auth, EventRecorder.NORMAL, c.reason(), c.message()));
        }
        SigningKeySecret.Contents keys = step.contents();
        // For replicas that restart while the API server is away (they mount the copy; see SigningKeyMirror).
        SigningKeyMirror.update(client, settings.leaseNamespace(), secret, liveSigningSecrets(context));

        context.managedWorkflowAndDependentResourceContext().put(RegistryConfigMapDependentResource.CONTEXT_KEY,
                new RegistryConfig(status.getRealm(), spec.getService(), ResourceNames.issuer(auth),
                        registry == null ? RegistrySpec.DEFAULT_MOUNT_PATH : registry.getMountPath(), keys));
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();

        if (deployment != null && DeploymentWiring.wire(deployment, auth, keys.bundleHash())) {
            client.apps().deployments().inNamespace(namespace).resource(deployment).update();
            LOG.info("{}: wired Deployment {} to bundle {}", ResourceNames.key(auth), registry.getDeployment(),
                    keys.bundleHash().substring(0, 12));
        }

        problems.addAll(sourceProblems(auth, client));
        status.setSigningSecret(ResourceNames.signingSecret(auth));
        status.setConfigMap(ResourceNames.registryConfigMap(auth));
        status.setActiveKeyId(keys.active().map(SigningKeySecret.StoredKey::id).orElse(null));
        status.setKeys(keyStatuses(keys));
        RegistryAuthStatus next = problems.isEmpty()
                ? ready(status, auth, keys, now)
                : notReady(status, auth, problems.get(0), now);
        Duration wait = step.nextCheck().map(at -> Duration.between(now, at)).orElse(null);
        if (!problems.isEmpty() && (wait == null || wait.compareTo(RECHECK) > 0)) {
            wait = RECHECK;
        }
        return finish(auth, context, previous, next, events, Optional.ofNullable(wait));
    }

    @Override
    public ErrorStatusUpdateControl<RegistryAuth> updateErrorStatus(RegistryAuth auth, Context<RegistryAuth> context,
                                                                    Exception e) {
        // Unexpected failures (API errors, conflicts) are retried; the status says so meanwhile.
        LOG.warn("{}: reconcile failed: {}", ResourceNames.key(auth), e.toString());
        RegistryAuthStatus status = auth.getStatus() == null ? new RegistryAuthStatus() : auth.getStatus();
        if (!failed(auth, status, e).equals(status.getConditions())) {
            try {
                writeStatus(auth, context, r -> {
                    RegistryAuthStatus current = r.getStatus() == null ? new RegistryAuthStatus() : r.getStatus();
                    current.setConditions(failed(r, current, e));
                    return current;
                });
            } catch (RuntimeException writeFailed) {
                LOG.warn("{}: cannot record the failure in the status: {}", ResourceNames.key(auth),
                        writeFailed.toString());
            }
        }
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    private List<Condition> failed(RegistryAuth auth, RegistryAuthStatus status, Exception e) {
        return Conditions.set(status.getConditions(), READY, false, "ReconcileError",
                "reconcile failed and is retried: " + e.getClass().getSimpleName(),
                auth.getMetadata().getGeneration(), settings.clock().instant());
    }

    /**
     * Replaces the status under the resourceVersion read, and caches the result for the next reconcile. JOSDK's
     * patchStatus diffs against the informer's copy without a resourceVersion: when that copy lags, its list
     * indexes hit another list and duplicate or drop keys. On a conflict, {@code status} is applied again.
     */
    /**
     * {@code <namespace>/<signing Secret>} of every RegistryAuth in the informer's cache, so the key mirror can
     * drop deleted ones; null (keep everything) when there is no cache to ask.
     */
    private static java.util.Set<String> liveSigningSecrets(Context<RegistryAuth> context) {
        var cache = context == null ? null : context.getPrimaryCache();
        if (cache == null) {
            return null;
        }
        return cache.list().map(a -> a.getMetadata().getNamespace() + "/" + ResourceNames.signingSecret(a))
                .collect(java.util.stream.Collectors.toSet());
    }

    private static void writeStatus(RegistryAuth auth, Context<RegistryAuth> context,
                                    Function<RegistryAuth, RegistryAuthStatus> status) {
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(auth, context, r -> {
            r.setStatus(status.apply(r));
            return r;
        });
    }

    private UpdateControl<RegistryAuth> finish(RegistryAuth auth, Context<RegistryAuth> context,
                                               RegistryAuthStatus previous, RegistryAuthStatus next,
                                               EventRecorder events, Optional<Duration> rescheduleAfter) {
        boolean wasNotReady = Conditions.FALSE.equals(Conditions.status(previous.getConditions(), READY));
        Optional<Condition> ready = next.condition(READY);
        if (ready.isPresent() && Conditions.FALSE.equals(ready.get().getStatus())
                && (!wasNotReady || !reasonOf(previous).equals(ready.get().getReason()))) {
            events.record(auth, EventRecorder.WARNING, ready.get().getReason(), ready.get().getMessage());
        }
        if (!next.equals(previous)) {
            writeStatus(auth, context, r -> next);
        }
        UpdateControl<RegistryAuth> control = UpdateControl.noUpdate();
        rescheduleAfter.filter(d -> !d.isNegative()).ifPresent(d -> control.rescheduleAfter(
                d.isZero() ? Duration.ofMillis(1) : d));
        return control;
    }

    private static String reasonOf(RegistryAuthStatus status) {
        return status.condition(READY).map(Condition::getReason).orElse("");
    }

    private RegistryAuthStatus ready(RegistryAuthStatus status, RegistryAuth auth, SigningKeySecret.Contents keys,
                                     Instant now) {
        String message = "Serving service " + auth.getSpec().getService() + "; key "
                + keys.active().map(SigningKeySecret.StoredKey::id).orElse("?") + " signs"
                + keys.pending().map(p -> "; key " + p.id() + " waits for the registry to trust it").orElse("");
        status.setConditions(Conditions.set(status.getConditions(), READY, true, "Ready", message,
                auth.getMetadata().getGeneration(), now));
        return status;
    }

    private RegistryAuthStatus notReady(RegistryAuthStatus status, RegistryAuth auth, GrantModel.Problem problem,
                                        Instant now) {
        status.setConditions(Conditions.set(status.getConditions(), READY, false, problem.reason(),
                problem.message(), auth.getMetadata().getGeneration(), now));
        return status;
    }

    /** The first problem that keeps the spec from being served at all. */
    private Optional<GrantModel.Problem> specProblem(RegistryAuth auth, Context<RegistryAuth> context) {
        Optional<String> unreadable = Unreadable.problem(auth);
        if (unreadable.isPresent()) {
            return problem(Unreadable.REASON, unreadable.get() + Unreadable.REGISTRY_AUTH_CONSEQUENCE);
        }
        RegistryAuthSpec spec = auth.getSpec();
        if (spec == null || spec.getService() == null || spec.getService().isBlank()) {
            return problem(INVALID_SERVICE, "spec.service is required");
        }
        if (!SERVICE.matcher(spec.getService()).matches()) {
            return problem(INVALID_SERVICE, "spec.service '" + spec.getService()
                    + "' must not contain spaces, quotes, '&' or '+' (clients put it into the token URL unencoded)");
        }
        try {
            if (spec.getToken().ttlDuration().isZero()) {
                return problem(INVALID_SPEC, "spec.token.ttl must be longer than 0");
            }
            spec.getToken().refreshTtlDuration();
            spec.getSigning().rotationPeriodDuration();
            spec.getSigning().rotationLeadTimeDuration();
        } catch (IllegalArgumentException e) {
            return problem(INVALID_SPEC, e.getMessage());
        }
        String realm = realmUrl(spec);
        if (realm == null) {
            return problem(REALM_URL_MISSING, "spec.realm is empty and the operator has no public realm URL ("
                    + OperatorSettings.ENV_PUBLIC_REALM_URL + "); registries cannot tell clients where to get tokens");
        }
        if (!REALM.matcher(realm).matches()) {
            return problem(INVALID_SPEC, "realm URL '" + realm + "' must be an absolute http(s) URL without a query");
        }
        Optional<RegistryAuth> holder = context.getPrimaryCache().list()
                .filter(other -> other.getSpec() != null && spec.getService().equals(other.getSpec().getService()))
                .min(RegistryAuthReconciler::serviceClaimOrder);
        if (holder.isPresent() && !ResourceNames.key(holder.get()).equals(ResourceNames.key(auth))) {
            return problem(DUPLICATE_SERVICE, "service " + spec.getService() + " already belongs to RegistryAuth "
                    + ResourceNames.key(holder.get()) + "; services must be unique");
        }
        return Optional.empty();
    }

    /** The older claim wins (then namespace/name), as the realm feed decides. */
    static int serviceClaimOrder(RegistryAuth a, RegistryAuth b) {
        int byAge = Objects.requireNonNullElse(a.getMetadata().getCreationTimestamp(), "")
                .compareTo(Objects.requireNonNullElse(b.getMetadata().getCreationTimestamp(), ""));
        return byAge != 0 ? byAge : ResourceNames.key(a).compareTo(ResourceNames.key(b));
    }

    private static Optional<GrantModel.Problem> problem(String reason, String message) {
        return Optional.of(new GrantModel.Problem(reason, message));
    }

    private String realmUrl(RegistryAuthSpec spec) {
        String realm = spec.getRealm() == null || spec.getRealm().isBlank() ? settings.publicRealmUrl()
                : spec.getRealm();
        return realm == null || realm.isBlank() ? null : realm;
    }

    private KeyRotation.Policy policy(RegistryAuth auth) {
        RegistryAuthSpec spec = auth.getSpec();
        KeyAlgorithm algorithm = Objects.requireNonNullElse(spec.getSigning().getAlgorithm(), KeyAlgorithm.ES256);
        return new KeyRotation.Policy(SigningAlgorithm.valueOf(algorithm.name()),
                "registry-auth " + ResourceNames.key(auth), spec.getSigning().rotationPeriodDuration(),
                spec.getToken().ttlDuration(), settings.retireLeeway(), spec.getToken().refreshTtlDuration());
    }

    private static Secret writeSecret(KubernetesClient client, RegistryAuth auth, Secret existing,
                                      SigningKeySecret.Contents contents) {
        if (existing == null) {
            Secret fresh = new SecretBuilder()
                    .withNewMetadata()
                    .withName(ResourceNames.signingSecret(auth))
                    .withNamespace(auth.getMetadata().getNamespace())
                    .withLabels(ResourceNames.labels(auth))
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion(auth.getApiVersion()).withKind(auth.getKind())
                            .withName(auth.getMetadata().getName()).withUid(auth.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(false).build())
                    .endMetadata()
                    .withType("Opaque")
                    .withData(SigningKeySecret.data(contents))
                    .build();
            return client.secrets().inNamespace(auth.getMetadata().getNamespace()).resource(fresh).create();
        }
        // Replace with the resourceVersion read: a concurrent change makes this fail and the step is retried.
        Secret updated = new SecretBuilder(existing).withData(SigningKeySecret.data(contents)).withStringData(null)
                .build();
        return client.secrets().inNamespace(auth.getMetadata().getNamespace()).resource(updated).update();
    }

    /**
     * What keeps the identity sources from serving (users' Secrets, identity providers' client secrets and CA
     * bundles, directories that cannot be reached or refuse the realm's bind), judged as the realm feed judges
     * it, plus what the sources' servers answer now.
     */
    private static List<GrantModel.Problem> sourceProblems(RegistryAuth auth, KubernetesClient client) {
        Map<String, Secret> secrets = new HashMap<>();
        for (String name : RealmModel.secretNames(auth)) {
            Secret secret = client.secrets().inNamespace(auth.getMetadata().getNamespace()).withName(name).get();
            if (secret != null) {
                secrets.put(name, secret);
            }
        }
        return RealmModel.sourceProblems(auth, secrets, true);
    }

    private static List<KeyStatus> keyStatuses(SigningKeySecret.Contents keys) {
        return keys.bundleOrder().stream()
                .map(k -> new KeyStatus(k.id(), k.state().wireName(), k.key().algorithm().name(),
                        k.createdAt().toString(), text(k.activatedAt()), text(k.retireAfter())))
                .toList();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
