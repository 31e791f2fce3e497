package io.registryauth.realm.it;

import io.registryauth.realm.http.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A token realm and a real registry that trusts it: the registry's auth.token points at the realm, and its
 * rootcertbundle is the key ring's certificate bundle at start-up (the registry reads it only then).
 */
public final class RealmAndRegistry implements AutoCloseable {
    private final TestRealm realm;
    private final RegistryProcess registry;

    private RealmAndRegistry(TestRealm realm, RegistryProcess registry) {
        this.realm = realm;
        this.registry = registry;
    }

    public static RealmAndRegistry start(Path workDir, TokenServer.Options options, RealmSpec spec)
            throws Exception {
        TestRealm realm = TestRealm.start(options);
        try {
            realm.load(spec);
            Path bundle = Files.createDirectories(workDir).resolve("rootcertbundle.pem");
            Files.writeString(bundle, spec.keys().certificateBundlePem());
            RegistryProcess registry = RegistryProcess.start(workDir.resolve("registry"),
                    new RegistryProcess.TokenAuth(realm.tokenUrl(), TestRealm.SERVICE, TestRealm.ISSUER, bundle));
            return new RealmAndRegistry(realm, registry);
        } catch (Exception e) {
            realm.close();
            throw e;
        }
    }

    public TestRealm realm() {
        return realm;
    }

    public RegistryProcess registry() {
        return registry;
    }

    public TokenClient tokens() {
        return realm.client();
    }

    public RegistryHttp http() {
        return new RegistryHttp(registry);
    }

    /** The skopeo reference of {@code repository:tag} on this registry. */
    public String docker(String repositoryAndTag) {
        return registry.docker(repositoryAndTag);
    }

    @Override
    public void close() throws Exception {
        try {
            registry.close();
        } finally {
            realm.close();
        }
    }
}
