package io.registryauth.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.operator.ResourceNames;

/**
 * The registry's ConfigMap. Reconciled explicitly by {@link RegistryAuthReconciler} once the keys are
 * settled, which hands over the content through the workflow context. Plain updates, not server-side apply.
 */
@KubernetesDependent(useSSA = BooleanWithUndefined.FALSE,
        informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class RegistryConfigMapDependentResource extends CRUDKubernetesDependentResource<ConfigMap, RegistryAuth> {
    static final String CONTEXT_KEY = RegistryConfig.class.getName();

    public RegistryConfigMapDependentResource() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(RegistryAuth primary, Context<RegistryAuth> context) {
        RegistryConfig config = context.managedWorkflowAndDependentResourceContext()
                .getMandatory(CONTEXT_KEY, RegistryConfig.class);
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(ResourceNames.registryConfigMap(primary))
                .withNamespace(primary.getMetadata().getNamespace())
                .withLabels(ResourceNames.labels(primary))
                .endMetadata()
                .withData(config.data())
                .build();
    }
}
