package io.registryauth.cli;

import java.net.URI;
import java.util.Locale;

/** Registry names as the clients pass them, reduced to the {@code host[:port]} key used everywhere here. */
final class Registries {
    private Registries() {
    }

    /**
     * {@code https://Registry.example.com:5000/v2/} and {@code registry.example.com:5000} name the same
     * registry; docker passes either form to a credential helper.
     */
    static String normalize(String serverUrl) {
        String s = serverUrl.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        boolean bad = s.isEmpty() || s.indexOf('@') >= 0;
        for (int i = 0; i < s.length() && !bad; i++) {
            char c = s.charAt(i);
            bad = c <= ' ' || c == '?' || c == '#';
        }
        if (bad) {
            throw new CliException("not a registry name: " + printable(serverUrl));
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** Docker talks plain HTTP to loopback registries; so does this CLI. */
    static boolean isLoopback(String registry) {
        String host = host(registry);
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    static String host(String registry) {
        if (registry.startsWith("[")) {
            int end = registry.indexOf(']');
            return registry.substring(0, end + 1);
        }
        int colon = registry.lastIndexOf(':');
        return colon >= 0 ? registry.substring(0, colon) : registry;
    }

    static URI base(String registry, boolean plainHttp) {
        return URI.create((plainHttp || isLoopback(registry) ? "http://" : "https://") + registry);
    }

    /** At most 100 printable characters of what the user typed, for error messages. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(100).forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return "\"" + out + "\"";
    }
}
