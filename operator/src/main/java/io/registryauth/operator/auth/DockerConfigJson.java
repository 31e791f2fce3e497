package io.registryauth.operator.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.registryauth.realm.auth.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code .dockerconfigjson} of a kubernetes.io/dockerconfigjson Secret holding one robot's
 * credentials. Both {@code username}/{@code password} and {@code auth} are written: the kubelet reads
 * either, docker and containers/image read {@code auth}.
 */
public final class DockerConfigJson {
    public static final String KEY = ".dockerconfigjson";
    public static final String TYPE = "kubernetes.io/dockerconfigjson";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerConfigJson() {
    }

    public static String write(String registryHost, String username, String password) {
        ObjectNode entry = JSON.createObjectNode()
                .put("username", username)
                .put("password", password)
                .put("auth", Base64.getEncoder().encodeToString(
                        (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        ObjectNode root = JSON.createObjectNode();
        root.putObject("auths").set(registryHost, entry);
        return root.toString();
    }

    /**
     * The credentials of the file's only entry, whatever registry host it names (so a Secret survives a
     * change of host with its password), or empty when the content is not such a file: lets a reconciler
     * tell a Secret edited by hand (another password, a second entry, auth not matching) from its own.
     */
    public static Optional<Credentials> read(String json) {
        try {
            JsonNode auths = json == null ? null : JSON.readTree(json).path("auths");
            if (auths == null || !auths.isObject() || auths.size() != 1) {
                return Optional.empty();
            }
            JsonNode entry = auths.elements().next();
            String username = entry.path("username").asText("");
            String password = entry.path("password").asText("");
            String auth = entry.path("auth").asText("");
            if (username.isEmpty() || password.isEmpty()
                    || !auth.equals(Base64.getEncoder().encodeToString(
                            (username + ":" + password).getBytes(StandardCharsets.UTF_8)))) {
                return Optional.empty();
            }
            return Optional.of(new Credentials(username, password));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
