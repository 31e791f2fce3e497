package io.registryauth.realm.sign;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys of one realm: the active signer plus the keys published beside it (new ones the registry
 * must learn before they sign, retiring ones whose tokens are still alive). Immutable; the bundle and
 * JWKS texts are computed once.
 */
public final class KeyRing {
    private final SigningKey active;
    private final List<SigningKey> published;
    private final Map<String, SigningKey> byKid;
    private final String certificateBundlePem;
    private final String jwksJson;

    /** {@code published} should include {@code active}; it is added (first) when missing. */
    public KeyRing(SigningKey active, List<SigningKey> published) {
        this.active = Objects.requireNonNull(active, "active");
        Map<String, SigningKey> keys = new LinkedHashMap<>();
        keys.put(active.kid(), active);
        for (SigningKey key : published) {
            keys.putIfAbsent(key.kid(), key);
        }
        this.byKid = Map.copyOf(keys);
        this.published = List.copyOf(keys.values());
        StringBuilder bundle = new StringBuilder();
        List<JWK> jwks = new ArrayList<>();
        for (SigningKey key : this.published) {
            bundle.append(key.certificatePem());
            jwks.add(key.publicJwk());
        }
        this.certificateBundlePem = bundle.toString();
        this.jwksJson = new JWKSet(jwks).toString(true);
    }

    public static KeyRing of(SigningKey active, SigningKey... others) {
        List<SigningKey> all = new ArrayList<>();
        all.add(active);
        all.addAll(Arrays.asList(others));
        return new KeyRing(active, all);
    }

    public SigningKey active() {
        return active;
    }

    /** Every published key, the active one first. */
    public List<SigningKey> published() {
        return published;
    }

    public Optional<SigningKey> byKid(String kid) {
        return Optional.ofNullable(kid == null ? null : byKid.get(kid));
    }

    /** PEM certificates of every published key, active first: the registry's rootcertbundle. */
    public String certificateBundlePem() {
        return certificateBundlePem;
    }

    /** {@code {"keys":[...]}} with the kids tokens carry: a distribution v3 {@code jwks} file. */
    public String jwksJson() {
        return jwksJson;
    }

    @Override
    public String toString() {
        return "KeyRing[active=" + active.kid() + ", published=" + published.size() + "]";
    }
}
