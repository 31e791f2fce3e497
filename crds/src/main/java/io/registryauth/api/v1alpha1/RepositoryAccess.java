package io.registryauth.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A grant: subjects may perform actions on repositories of one RegistryAuth. */
@Group(RegistryAuth.GROUP)
@Version(RegistryAuth.VERSION)
@ShortNames("racc")
@AdditionalPrinterColumn(
        name = "Registry",
        jsonPath = ".spec.registry.name",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Subjects",
        jsonPath = ".spec.subjects[*].name",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Repositories",
        jsonPath = ".spec.repositories",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Actions",
        jsonPath = ".spec.actions",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Secret",
        jsonPath = ".status.credentials.secretName",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Validity",
        jsonPath = ".status.conditions[?(@.type==\"Active\")].reason",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Until",
        jsonPath = ".spec.validUntil",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class RepositoryAccess extends CustomResource<RepositoryAccessSpec, RepositoryAccessStatus>
        implements Namespaced {

    @Override
    protected RepositoryAccessSpec initSpec() {
        return new RepositoryAccessSpec();
    }
}
