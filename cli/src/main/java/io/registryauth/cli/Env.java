package io.registryauth.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the CLI reads and writes, from the environment: its own store, docker's config, the containers
 * auth file, the install directory. Tests hand in a map instead of the process environment.
 */
public record Env(Map<String, String> vars) {
    public static Env system() {
        return new Env(System.getenv());
    }

    String get(String name) {
        String value = vars.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    Path home() {
        String home = get("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }

    /** {@code $REGISTRY_AUTH_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/registry-auth}, else {@code ~/.config/registry-auth}. */
    public Path configDir() {
        String dir = get("REGISTRY_AUTH_CONFIG_DIR");
        if (dir != null) {
            return Path.of(dir);
        }
        String xdg = get("XDG_CONFIG_HOME");
        return (xdg != null ? Path.of(xdg) : home().resolve(".config")).resolve("registry-auth");
    }

    /** {@code $DOCKER_CONFIG/config.json}, default {@code ~/.docker/config.json}. */
    public Path dockerConfig() {
        String dir = get("DOCKER_CONFIG");
        return (dir != null ? Path.of(dir) : home().resolve(".docker")).resolve("config.json");
    }

    /**
     * The containers auth file as podman, skopeo and buildah look for it: {@code $REGISTRY_AUTH_FILE}, else
     * {@code $XDG_RUNTIME_DIR/containers/auth.json}, else {@code ~/.config/containers/auth.json}.
     */
    public Path containersAuthFile() {
        String file = get("REGISTRY_AUTH_FILE");
        if (file != null) {
            return Path.of(file);
        }
        String runtime = get("XDG_RUNTIME_DIR");
        return runtime != null ? Path.of(runtime, "containers", "auth.json")
                : home().resolve(".config/containers/auth.json");
    }

    public Path defaultBinDir() {
        return home().resolve(".local/bin");
    }

    /** True when {@code dir} is one of the PATH entries. */
    public boolean onPath(Path dir) {
        String path = get("PATH");
        if (path == null) {
            return false;
        }
        Path wanted = dir.toAbsolutePath().normalize();
        for (String entry : path.split(":")) {
            if (!entry.isEmpty() && Path.of(entry).toAbsolutePath().normalize().equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** A graphical session a browser can open in (macOS always has one). */
    public boolean hasDisplay() {
        if (System.getProperty("os.name", "").startsWith("Mac")) {
            return true;
        }
        return get("DISPLAY") != null || get("WAYLAND_DISPLAY") != null;
    }
}
