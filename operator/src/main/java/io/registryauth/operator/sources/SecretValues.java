package io.registryauth.operator.sources;

import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.model.GrantModel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the key of a Secret a source references, reporting why it cannot (never what it holds). */
public final class SecretValues {
    private SecretValues() {
    }

    /**
     * The referenced key of a Secret, from data (base64) or, as a fallback, stringData; empty with a problem
     * of {@code reason} when the reference, the Secret or the key is missing or unreadable.
     */
    public static Optional<String> read(Map<String, Secret> secrets, SecretKeyReference ref, String what,
                                        String reason, List<GrantModel.Problem> problems) {
        if (ref == null || ref.getName() == null || ref.getKey() == null) {
            problems.add(new GrantModel.Problem(reason, what + ": the Secret reference needs a name and a key"));
            return Optional.empty();
        }
        Secret secret = secrets.get(ref.getName());
        if (secret == null) {
            problems.add(new GrantModel.Problem(reason, what + " Secret " + ref.getName() + " does not exist"));
            return Optional.empty();
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded != null) {
            try {
                return Optional.of(new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                problems.add(new GrantModel.Problem(reason, what + " Secret " + ref.getName() + " key "
                        + ref.getKey() + " is not valid base64"));
                return Optional.empty();
            }
        }
        String plain = secret.getStringData() == null ? null : secret.getStringData().get(ref.getKey());
        if (plain != null) {
            return Optional.of(plain);
        }
        problems.add(new GrantModel.Problem(reason, what + " Secret " + ref.getName() + " has no key " + ref.getKey()));
        return Optional.empty();
    }
}
