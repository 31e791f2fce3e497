package io.registryauth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code credHelpers} entries in docker's config.json and the containers auth file: added for one
 * registry, removed again only when they still name this helper. Everything else in those files is kept;
 * each write replaces the whole file atomically.
 */
final class ClientConfigs {
    static final String HELPER = "registry-auth";

    private ClientConfigs() {
    }

    /** Points {@code registry} at this helper in {@code file}; true when the file changed. */
    static boolean addHelper(Path file, String registry) {
        Map<String, Object> config = read(file);
        Map<String, Object> helpers = helpers(config, file);
        if (HELPER.equals(helpers.get(registry))) {
            return false;
        }
        helpers.put(registry, HELPER);
        config.put("credHelpers", helpers);
        AtomicFiles.write(file, Json.write(config) + "\n", AtomicFiles.OWNER_ONLY, true);
        return true;
    }

    /** Removes the entry for {@code registry} if it names this helper; true when the file changed. */
    static boolean removeHelper(Path file, String registry) {
        if (!Files.exists(file)) {
            return false;
        }
        Map<String, Object> config = read(file);
        Map<String, Object> helpers = helpers(config, file);
        if (!HELPER.equals(helpers.get(registry))) {
            return false;
        }
        helpers.remove(registry);
        if (helpers.isEmpty()) {
            config.remove("credHelpers");
        } else {
            config.put("credHelpers", helpers);
        }
        AtomicFiles.write(file, Json.write(config) + "\n", AtomicFiles.OWNER_ONLY, true);
        return true;
    }

    private static Map<String, Object> read(Path file) {
        if (!Files.exists(file)) {
            return new LinkedHashMap<>();
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.isBlank() ? new LinkedHashMap<>() : new LinkedHashMap<>(Json.parse(text, file.toString()));
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> helpers(Map<String, Object> config, Path file) {
        Object helpers = config.get("credHelpers");
        if (helpers == null) {
            return new LinkedHashMap<>();
        }
        if (!(helpers instanceof Map<?, ?> map)) {
            throw new CliException(file + ": credHelpers is not a JSON object; not touching it");
        }
        return new LinkedHashMap<>((Map<String, Object>) map);
    }
}
