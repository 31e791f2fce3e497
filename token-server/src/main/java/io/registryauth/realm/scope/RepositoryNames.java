package io.registryauth.realm.scope;

/**
 * Repository-name grammar of distribution's reference package, checked by hand because it runs on
 * every scope of every token request: {@code [domain/]component(/component)*}, at most 255 characters,
 * where a component is {@code [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*} and a domain is
 * {@code host[:port]} (host components {@code [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?} joined by '.',
 * or a bracketed IPv6 address).
 */
public final class RepositoryNames {
    public static final int MAX_LENGTH = 255;

    private RepositoryNames() {
    }

    /** Null when {@code name} is a valid repository name, otherwise what is wrong with it. */
    public static String problem(String name) {
        if (name.isEmpty()) {
            return "empty repository name";
        }
        if (name.length() > MAX_LENGTH) {
            return "repository name longer than " + MAX_LENGTH + " characters";
        }
        int start = 0;
        int firstSlash = name.indexOf('/');
        if (firstSlash > 0 && !isPathComponent(name, 0, firstSlash) && isDomain(name, 0, firstSlash)) {
            start = firstSlash + 1;
        }
        while (true) {
            int slash = name.indexOf('/', start);
            int end = slash < 0 ? name.length() : slash;
            if (!isPathComponent(name, start, end)) {
                return "invalid repository name (lowercase letters, digits and single separators . _ __ - "
                        + "between them, path components joined by '/', optionally after host[:port]/)";
            }
            if (slash < 0) {
                return null;
            }
            start = slash + 1;
        }
    }

    /** Whether {@code s} is one path component, the shape a user name must have to fill ${user}. */
    public static boolean isPathComponent(String s) {
        return isPathComponent(s, 0, s.length());
    }

    static boolean isPathComponent(String s, int from, int to) {
        if (from >= to || !isLowerAlnum(s.charAt(from)) || !isLowerAlnum(s.charAt(to - 1))) {
            return false;
        }
        int i = from;
        while (i < to) {
            if (isLowerAlnum(s.charAt(i))) {
                i++;
                continue;
            }
            int runStart = i;
            while (i < to && !isLowerAlnum(s.charAt(i))) {
                i++;
            }
            if (!isSeparator(s, runStart, i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSeparator(String s, int from, int to) {
        int len = to - from;
        char c = s.charAt(from);
        if (len == 1 && (c == '.' || c == '_')) {
            return true;
        }
        if (len == 2 && c == '_' && s.charAt(from + 1) == '_') {
            return true;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDomain(String s, int from, int to) {
        int hostEnd = to;
        if (s.charAt(from) == '[') {
            int close = s.indexOf(']', from);
            if (close < 0 || close >= to || close == from + 1) {
                return false;
            }
            for (int i = from + 1; i < close; i++) {
                char c = s.charAt(i);
                if (!isHex(c) && c != ':') {
                    return false;
                }
            }
            hostEnd = close + 1;
            return hostEnd == to || isPort(s, hostEnd, to);
        }
        int colon = s.indexOf(':', from);
        if (colon >= 0 && colon < to) {
            if (!isPort(s, colon, to)) {
                return false;
            }
            hostEnd = colon;
        }
        int start = from;
        while (true) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 || dot >= hostEnd ? hostEnd : dot;
            if (!isHostComponent(s, start, end)) {
                return false;
            }
            if (end == hostEnd) {
                return true;
            }
            start = end + 1;
        }
    }

    /** {@code :digits} spanning exactly [from, to). */
    private static boolean isPort(String s, int from, int to) {
        if (s.charAt(from) != ':' || to - from < 2) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostComponent(String s, int from, int to) {
        if (from >= to || !isAlnum(s.charAt(from)) || !isAlnum(s.charAt(to - 1))) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAlnum(char c) {
        return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
