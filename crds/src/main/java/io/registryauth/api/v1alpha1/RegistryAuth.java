package io.registryauth.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One registry's token realm. */
@Group(RegistryAuth.GROUP)
@Version(RegistryAuth.VERSION)
@ShortNames("rauth")
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Active Key",
        jsonPath = ".status.activeKeyId",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class RegistryAuth extends CustomResource<RegistryAuthSpec, RegistryAuthStatus>
        implements Namespaced {

    public static final String GROUP = "registryauth.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected RegistryAuthSpec initSpec() {
        return new RegistryAuthSpec();
    }
}
