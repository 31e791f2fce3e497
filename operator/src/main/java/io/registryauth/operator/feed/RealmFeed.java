package io.registryauth.operator.feed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.RepositoryAccess;
import io.registryauth.operator.OperatorSettings;
import io.registryauth.operator.RealmProblemSignal;
import io.registryauth.operator.ResourceNames;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.operator.model.RealmModel;
import io.registryauth.operator.tolerance.LastReadable;
import io.registryauth.operator.tolerance.Unreadable;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.RealmSnapshot;
import io.registryauth.realm.RealmState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the token server's snapshot in step with the cluster, on every replica (not only the leader).
 * Informers cache RegistryAuths and RepositoryAccesses in the watched namespaces, and Secrets only in the
 * namespaces that hold a RegistryAuth: the htpasswd Secret is the user's and carries no label of ours, so
 * Secrets cannot be label-selected, but there is no reason to cache a whole cluster's Secrets either.
 * Generated pull Secrets live beside their grants, anywhere, so they are watched by their robot-for label
 * in every watched namespace; deleting a grant or its Secret drops the robot at the next rebuild.
 *
 * <p>Any event schedules one rebuild on a single thread after a few milliseconds, so a burst of events
 * (an initial list, a rotation writing Secret and ConfigMap) costs one rebuild; {@link RebuildPacer} lets a
 * change after a quiet spell be rebuilt at once and paces a stream of changes to a third of a core, waiting at
 * most a second, so the stream coalesces. A grant
 * counts by its generation (its spec) and whether it is being deleted: the operator's status writes and
 * finalizers change neither, so they schedule nothing. A realm whose inputs did not change (same versions)
 * is reused as it was. Nothing is swapped before the caches have synced, and an unreachable API server
 * changes nothing: the informers keep their caches and retry, and
 * the last snapshot keeps serving.
 */
public final class RealmFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RealmFeed.class);
    private static final long DEBOUNCE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final RealmState state;
    private final RealmProblemSignal problems;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** When the next rebuild may start: at once after a quiet spell, paced under a stream of changes. */
    private final RebuildPacer pacer = new RebuildPacer(System.nanoTime());
    private final List<SharedIndexInformer<RegistryAuth>> auths = new ArrayList<>();
    private final List<SharedIndexInformer<RepositoryAccess>> grants = new ArrayList<>();
    /** Generated pull Secrets (label-selected), wherever grants may live. */
    private final List<SharedIndexInformer<Secret>> robotSecrets = new ArrayList<>();
    /** Touched only on the rebuild thread. */
    private final Map<String, SharedIndexInformer<Secret>> secretsByNamespace = new HashMap<>();
    private final Map<String, Built> built = new HashMap<>();
    private final LastReadable<RegistryAuth> readableAuths = new LastReadable<>();
    /** Realms left out because another RegistryAuth holds their service, so each is reported once. */
    private final Set<String> contested = new HashSet<>();
    /** Whether a snapshot built from synced caches has been swapped in (readiness waits for the first). */
    private boolean loaded;
    private volatile boolean closed;
    /** Where the inputs are kept for a start without the API server; null = nowhere. */
    private final PersistedSnapshot store;
    /** When the caches were last known to be in step with the API server; null before that. */
    private volatile Instant confirmedAt;
    /** Whether the snapshot served was built from the persisted inputs, not yet from the API server. */
    private volatile boolean servingPersisted;
    private volatile int unreadable;
    /** Inputs waiting to be written (touched only on the rebuild thread). */
    private final PersistedSnapshot.Pending unsaved = new PersistedSnapshot.Pending();

    /** A realm as last built, with the fingerprint of its inputs and the problems reported for it. */
    private record Built(String fingerprint, RealmModel.Outcome outcome) {
    }

    private RealmFeed(KubernetesClient client, OperatorSettings settings, RealmState state,
                      RealmProblemSignal problems, PersistedSnapshot store) {
        this.store = store;
        this.client = client;
        this.settings = settings;
        this.state = state;
        this.problems = problems;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "realm-feed");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the informers; the first snapshot is swapped in once they have listed everything. */
    public static RealmFeed start(KubernetesClient client, OperatorSettings settings, RealmState state) {
        return start(client, settings, state, new RealmProblemSignal());
    }

    /** As above, also telling {@code problems} when a realm's problems change (for its RegistryAuth's status). */
    public static RealmFeed start(KubernetesClient client, OperatorSettings settings, RealmState state,
                                  RealmProblemSignal problems) {
        return start(client, settings, state, problems, null);
    }

    /**
     * As above, keeping the inputs in {@code store} (null = nowhere): when it holds inputs from an earlier
     * run, the realm is built from them first and served until the API server answers (see
     * {@link StaticStability}).
     */
    public static RealmFeed start(KubernetesClient client, OperatorSettings settings, RealmState state,
                                  RealmProblemSignal problems, PersistedSnapshot store) {
        RealmFeed feed = new RealmFeed(client, settings, state, problems, store);
        StaticStability.publish(feed, state);
        if (store != null) {
            feed.executor.execute(feed::servePersisted);
        }
        feed.executor.scheduleWithFixedDelay(feed::confirm, 1, 1, TimeUnit.SECONDS);
        if (settings.namespaces().isEmpty()) {
            feed.auths.add(feed.inform(client.resources(RegistryAuth.class).inAnyNamespace().runnableInformer(0)));
            feed.grants.add(feed.informGrants(client.resources(RepositoryAccess.class).inAnyNamespace()
                    .runnableInformer(0)));
            feed.robotSecrets.add(feed.inform(client.secrets().inAnyNamespace()
                    .withLabel(ResourceNames.ROBOT_FOR_LABEL).runnableInformer(0)));
        } else {
            for (String namespace : settings.namespaces()) {
                feed.auths.add(feed.inform(client.resources(RegistryAuth.class).inNamespace(namespace)
                        .runnableInformer(0)));
                feed.grants.add(feed.informGrants(client.resources(RepositoryAccess.class).inNamespace(namespace)
                        .runnableInformer(0)));
                feed.robotSecrets.add(feed.inform(client.secrets().inNamespace(namespace)
                        .withLabel(ResourceNames.ROBOT_FOR_LABEL).runnableInformer(0)));
            }
        }
        return feed;
    }

    /** Whether the custom-resource and pull-Secret caches have listed everything at least once. */
    public boolean synced() {
        return auths.stream().allMatch(SharedIndexInformer::hasSynced)
                && grants.stream().allMatch(SharedIndexInformer::hasSynced)
                && robotSecrets.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer) {
        return inform(informer, new OnAnyChange<>(this::changed));
    }

    /** Grants wake the feed only when what the realm reads of them changed ({@link #grantVersion}). */
    private SharedIndexInformer<RepositoryAccess> informGrants(SharedIndexInformer<RepositoryAccess> informer) {
        return inform(informer, new ResourceEventHandler<>() {
            @Override
            public void onAdd(RepositoryAccess grant) {
                changed();
            }

            @Override
            public void onUpdate(RepositoryAccess before, RepositoryAccess after) {
                if (!grantVersion(before).equals(grantVersion(after))) {
                    changed();
                }
            }

            @Override
            public void onDelete(RepositoryAccess grant, boolean deletedFinalStateUnknown) {
                changed();
            }
        });
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer,
                                                                   ResourceEventHandler<T> handler) {
        informer.addEventHandler(handler);
        // Keep retrying through API outages, including before the first list succeeded.
        informer.exceptionHandler((started, t) -> {
            LOG.warn("watch of {} failed, retrying: {}", informer.getApiTypeClass().getSimpleName(), t.toString());
            return true;
        });
        informer.start().whenComplete((ok, error) -> changed());
        return informer;
    }

    private void changed() {
        if (!closed && pending.compareAndSet(false, true)) {
            try {
                // At least the debounce; under a stream of changes (a checkout, a start writing pull Secrets) at
                // most a third of a core rebuilds, while a lone change is rebuilt at once.
                long delay = Math.max(DEBOUNCE_NANOS, pacer.waitAt(System.nanoTime()));
                executor.schedule(this::rebuild, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Closing: an event that raced the shutdown has nothing left to update.
            }
        }
    }

    private void rebuild() {
        long started = System.nanoTime();
        try {
            rebuildNow();
        } finally {
            pacer.ran(started, System.nanoTime());
        }
    }

    private void rebuildNow() {
        pending.set(false);
        if (closed || !synced()) {
            return;
        }
        try {
            // One object that cannot be read costs only itself: a RegistryAuth keeps its last readable version,
            // a grant is left out (what it grants is unknown).
            List<RegistryAuth> registryAuths = readableAuths.resolve(all(auths));
            List<RepositoryAccess> everyGrant = all(grants);
            List<RepositoryAccess> repositoryAccesses = everyGrant.stream().filter(g -> !Unreadable.is(g)).toList();
            unreadable = readableAuths.unreadable() + everyGrant.size() - repositoryAccesses.size();
            Map<String, Secret> pullSecrets = new HashMap<>();
            all(robotSecrets).forEach(secret -> pullSecrets.put(ResourceNames.key(secret), secret));
            followSecrets(registryAuths);
            Map<String, Built> next = new HashMap<>();
            Map<String, Secret> used = new TreeMap<>();
            boolean complete = true;
            for (RegistryAuth auth : registryAuths) {
                String id = ResourceNames.key(auth);
                SharedIndexInformer<Secret> secrets = secretsByNamespace.get(auth.getMetadata().getNamespace());
                if (secrets == null || !secrets.hasSynced()) {
                    // Its Secrets are still being listed: keep what was served rather than a realm without keys.
                    complete = false;
                    if (built.containsKey(id)) {
                        next.put(id, built.get(id));
                    }
                    continue;
                }
                // Every Secret read is kept for a start without the API server, but the signing Secret, which
                // a replica reads from its mounted volume instead.
                String signingKey = ResourceNames.key(auth.getMetadata().getNamespace(), ResourceNames.signingSecret(auth));
                next.put(id, build(auth, key -> key.equals(signingKey) ? secrets.getStore().getByKey(key)
                        : StaticStability.remember(used, secrets.getStore().getByKey(key)), repositoryAccesses,
                        pullSecrets));
            }
            publish(registryAuths, next, complete);
            if (complete) {
                servingPersisted = false;
                keep(registryAuths, repositoryAccesses, used, pullSecrets);
            }
        } catch (RuntimeException e) {
            LOG.error("rebuilding the realm snapshot failed; the previous one keeps serving", e);
        }
    }

    /** Swaps in the realms built from {@code next} (the first time only once {@code complete}). */
    private void publish(List<RegistryAuth> registryAuths, Map<String, Built> next, boolean complete) {
        built.clear();
        built.putAll(next);
        List<RealmConfig> realms = uniqueServices(registryAuths, next);
        // The first snapshot is swapped in even when empty, so a cluster without RegistryAuths turns
        // ready; but not while Secrets are still listing, or realms would be missing from it.
        if (loaded ? !sameRealms(state.current(), realms) : complete) {
            state.swap(RealmSnapshot.of(realms));
            loaded = true;
        }
    }

    /** On start, before the informers report: the realm from the inputs an earlier run kept, if any. */
    private void servePersisted() {
        try {
            Optional<PersistedSnapshot.Contents> kept = store.load();
            if (kept.isEmpty() || loaded) {
                return;
            }
            PersistedSnapshot.Contents contents = kept.get();
            Map<String, Secret> secrets = contents.secretsByKey();
            Map<String, Built> next = new HashMap<>();
            for (RegistryAuth auth : contents.registryAuths()) {
                next.put(ResourceNames.key(auth), build(auth, secrets::get, contents.repositoryAccesses(),
                        contents.pullSecretsByKey()));
            }
            publish(contents.registryAuths(), next, true);
            servingPersisted = true;
            confirmedAt = contents.confirmedAt();
            LOG.warn("serving {} realms from the inputs persisted at {} in {} until the API server answers",
                    state.current().byService().size(), contents.confirmedAt(), store.file());
        } catch (RuntimeException e) {
            LOG.error("cannot serve from the persisted inputs in {}; waiting for the API server", store.file(), e);
        }
    }

    /** Notes that the caches are current while every informer watches; writes pending inputs. */
    private void confirm() {
        if (closed || servingPersisted || !loaded || !synced() || !watching()) {
            return;
        }
        confirmedAt = Instant.now();
        if (store != null) {
            unsaved.saveTo(store, confirmedAt);
        }
    }

    private boolean watching() {
        return auths.stream().allMatch(SharedIndexInformer::isWatching)
                && grants.stream().allMatch(SharedIndexInformer::isWatching)
                && robotSecrets.stream().allMatch(SharedIndexInformer::isWatching)
                && secretsByNamespace.values().stream().allMatch(SharedIndexInformer::isWatching);
    }

    /** Queues the inputs for the next {@link #confirm} when they differ from those last queued. */
    private void keep(List<RegistryAuth> registryAuths, List<RepositoryAccess> repositoryAccesses,
                      Map<String, Secret> used, Map<String, Secret> pullSecrets) {
        if (store != null) {
            // Same realms from the same inputs and the same Secrets: nothing new to write.
            Map<String, String> fingerprints = new HashMap<>();
            built.forEach((id, b) -> fingerprints.put(id, b.fingerprint()));
            List<String> secretVersions = used.values().stream().map(RealmFeed::version).toList();
            unsaved.offer(List.of(fingerprints, secretVersions), () -> PersistedSnapshot.Contents.of(registryAuths,
                    repositoryAccesses, used.values(), pullSecrets));
        }
    }

    /** When the caches were last known current (null: never). */
    Instant confirmedAt() {
        return confirmedAt;
    }

    /** Whether the realm served was built from persisted inputs and the API server has not answered since. */
    public boolean servingPersisted() {
        return servingPersisted;
    }

    /** How many custom resources the last rebuild could not read. */
    int unreadable() {
        return unreadable;
    }

    private Built build(RegistryAuth auth, Function<String, Secret> secrets, List<RepositoryAccess> all,
                        Map<String, Secret> pullSecrets) {
        String namespace = auth.getMetadata().getNamespace();
        Secret signing = secrets.apply(ResourceNames.key(namespace, ResourceNames.signingSecret(auth)));
        Map<String, Secret> referenced = new TreeMap<>();
        for (String name : RealmModel.secretNames(auth)) {
            Secret secret = secrets.apply(ResourceNames.key(namespace, name));
            if (secret != null) {
                referenced.put(name, secret);
            }
        }
        // Sorted by "namespace/name", each key made once (not once per comparison: 10,000 grants, every rebuild).
        List<RepositoryAccess> targeting = all.stream().filter(g -> RealmModel.targets(g, auth))
                .map(g -> Map.entry(ResourceNames.key(g), g)).sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue).toList();
        Map<String, Secret> robots = new TreeMap<>();
        for (RepositoryAccess grant : targeting) {
            if (grant.getSpec().getCredentials() != null && grant.getSpec().getCredentials().getSecretName() != null) {
                String key = ResourceNames.key(grant.getMetadata().getNamespace(),
                        grant.getSpec().getCredentials().getSecretName());
                Secret secret = pullSecrets.get(key);
                if (secret != null) {
                    robots.put(key, secret);
                }
            }
        }

        String fingerprint = fingerprint(auth, signing, referenced, targeting, robots);
        Built previous = built.get(ResourceNames.key(auth));
        if (previous != null && previous.fingerprint().equals(fingerprint)) {
            return previous;
        }
        RealmModel.Outcome outcome = RealmModel.realm(
                new RealmModel.Inputs(auth, signing, targeting, referenced, robots), settings);
        List<GrantModel.Problem> before = previous == null ? List.of() : previous.outcome().problems();
        if (!outcome.problems().equals(before)) {
            problems.changed(auth.getMetadata().getNamespace(), auth.getMetadata().getName());
            for (GrantModel.Problem p : outcome.problems()) {
                // A new RegistryAuth waits for its keys for a moment; that is no reason for a warning.
                if (signing == null && p.reason().equals(RealmModel.SIGNING_KEY_MISSING)) {
                    LOG.info("realm {} waits for its signing Secret", ResourceNames.key(auth));
                } else {
                    LOG.warn("realm {}: {}: {}", ResourceNames.key(auth), p.reason(), p.message());
                }
            }
        }
        outcome.realm().ifPresent(realm -> LOG.info(
                "realm {} (service {}) serves {} users, {} identity providers, {} robots and {} grants", realm.id(),
                realm.service(), realm.users().size(), realm.oidcProviders().size(), realm.robots().size(),
                realm.policy().size()));
        return new Built(fingerprint, outcome);
    }

    /** Resource versions identify the inputs; the same versions build the same realm. */
    private static String fingerprint(RegistryAuth auth, Secret signing, Map<String, Secret> referenced,
                                      List<RepositoryAccess> grants, Map<String, Secret> robots) {
        StringBuilder out = new StringBuilder();
        for (HasMetadata resource : new HasMetadata[] {auth, signing}) {
            out.append(version(resource)).append('|');
        }
        // Sorted by name: a Secret appearing, changing or going away changes the fingerprint.
        referenced.forEach((name, secret) -> out.append(name).append('@').append(version(secret)).append(','));
        out.append('|');
        grants.forEach(g -> out.append(ResourceNames.key(g)).append('@').append(grantVersion(g)).append(','));
        out.append('|');
        robots.forEach((key, secret) -> out.append(key).append('@').append(version(secret)).append(','));
        return out.toString();
    }

    /**
     * What the realm reads of a grant: its spec, counted by generation (which the API server raises on every spec
     * change and never for status or metadata), and whether it is going. Without a generation, its
     * resourceVersion.
     */
    static String grantVersion(RepositoryAccess grant) {
        Long generation = grant.getMetadata().getGeneration();
        if (generation == null || generation == 0) {
            return version(grant);
        }
        return grant.getMetadata().getUid() + ":g" + generation
                + (grant.getMetadata().getDeletionTimestamp() == null ? "" : ":deleting")
                + (Unreadable.is(grant) ? ":unreadable" : "");
    }

    private static String version(HasMetadata resource) {
        return resource == null ? "-" : resource.getMetadata().getUid() + ":"
                + resource.getMetadata().getResourceVersion();
    }

    /**
     * Services must be unique; when two RegistryAuths claim one, the older (then the first by namespace/name)
     * keeps it, so a newcomer cannot take over an existing registry's realm.
     */
    private List<RealmConfig> uniqueServices(List<RegistryAuth> registryAuths, Map<String, Built> built) {
        Map<String, RealmConfig> byService = new HashMap<>();
        Set<String> excluded = new HashSet<>();
        registryAuths.stream()
                .sorted(Comparator.comparing((RegistryAuth a) -> Objects.requireNonNullElse(
                        a.getMetadata().getCreationTimestamp(), "")).thenComparing((RegistryAuth a) -> ResourceNames.key(a)))
                .forEach(auth -> {
                    Built b = built.get(ResourceNames.key(auth));
                    if (b == null || b.outcome().realm().isEmpty()) {
                        return;
                    }
                    RealmConfig realm = b.outcome().realm().get();
                    RealmConfig holder = byService.putIfAbsent(realm.service(), realm);
                    if (holder != null && excluded.add(realm.id()) && !contested.contains(realm.id())) {
                        LOG.warn("realm {} is not served: service {} already belongs to {}", realm.id(),
                                realm.service(), holder.id());
                    }
                });
        contested.clear();
        contested.addAll(excluded);
        return List.copyOf(byService.values());
    }

    /** Whether the snapshot already holds exactly these realm objects (unchanged inputs reuse them). */
    private static boolean sameRealms(RealmSnapshot current, List<RealmConfig> realms) {
        return current.byService().size() == realms.size()
                && realms.stream().allMatch(r -> current.byService().get(r.service()) == r);
    }

    /** Caches Secrets exactly in the namespaces that hold RegistryAuths. */
    private void followSecrets(Collection<RegistryAuth> registryAuths) {
        Set<String> needed = registryAuths.stream().map(a -> a.getMetadata().getNamespace())
                .collect(Collectors.toCollection(HashSet::new));
        secretsByNamespace.entrySet().removeIf(entry -> {
            if (needed.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().close();
            return true;
        });
        for (String namespace : needed) {
            secretsByNamespace.computeIfAbsent(namespace,
                    ns -> inform(client.secrets().inNamespace(ns).runnableInformer(0)));
        }
    }

    private static <T extends HasMetadata> List<T> all(List<SharedIndexInformer<T>> informers) {
        List<T> out = new ArrayList<>();
        informers.forEach(informer -> out.addAll(informer.getStore().list()));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        auths.forEach(SharedIndexInformer::close);
        grants.forEach(SharedIndexInformer::close);
        robotSecrets.forEach(SharedIndexInformer::close);
        secretsByNamespace.values().forEach(SharedIndexInformer::close);
    }
}
