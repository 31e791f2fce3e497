package io.registryauth.realm.auth;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads static users from htpasswd content as {@code htpasswd -B} writes it, plus optional group lines
 * {@code group: user1,user2}. Errors name the line and the user but never quote a hash, since the
 * message ends up in resource status and logs.
 */
public final class Htpasswd {
    /** Modular-crypt bcrypt: version, two-digit cost, 22 salt + 31 hash characters. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    /** htpasswd -B accepts costs 4 to 17; far higher costs would tie up a worker for minutes per check. */
    static final int MIN_COST = 4;
    static final int MAX_COST = 17;

    private Htpasswd() {
    }

    /**
     * @param htpasswd  {@code user:$2y$...} lines; blank lines and {@code #} comments ignored, CRLF tolerated
     * @param groups    {@code group: user1,user2} lines, or null
     * @return users by name, in file order
     * @throws IllegalArgumentException naming the offending line
     */
    public static Map<String, StaticUser> parse(String htpasswd, String groups) {
        Map<String, String> hashes = parseUsers(htpasswd == null ? "" : htpasswd);
        Map<String, Set<String>> membership = groups == null ? Map.of() : parseGroups(groups);
        Map<String, StaticUser> users = new LinkedHashMap<>();
        hashes.forEach((name, hash) -> users.put(name,
                new StaticUser(name, hash, membership.getOrDefault(name, Set.of()))));
        return users;
    }

    private static Map<String, String> parseUsers(String content) {
        Map<String, String> hashes = new LinkedHashMap<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripCr(lines[i]);
            int number = i + 1;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                // The whole line may be a hash pasted without its user: do not quote it.
                throw new IllegalArgumentException("htpasswd line " + number + ": expected user:hash");
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1).strip();
            checkName("htpasswd line " + number, "user name", user);
            Matcher bcrypt = BCRYPT.matcher(hash);
            if (!bcrypt.matches()) {
                throw new IllegalArgumentException("htpasswd line " + number + ": " + named("user", user)
                        + " has an unsupported password hash; only bcrypt hashes as written by htpasswd -B"
                        + " (version 2y, 2a or 2b) are accepted");
            }
            int cost = Integer.parseInt(bcrypt.group(1));
            if (cost < MIN_COST || cost > MAX_COST) {
                throw new IllegalArgumentException("htpasswd line " + number + ": " + named("user", user)
                        + " has a bcrypt cost of " + cost + "; costs " + MIN_COST + " to " + MAX_COST
                        + " are accepted");
            }
            if (hashes.putIfAbsent(user, hash) != null) {
                throw new IllegalArgumentException("htpasswd line " + number + ": " + named("user", user)
                        + " is listed more than once");
            }
        }
        return hashes;
    }

    private static Map<String, Set<String>> parseGroups(String content) {
        Map<String, Set<String>> membership = new HashMap<>();
        Set<String> seenGroups = new HashSet<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripCr(lines[i]).strip();
            int number = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("groups line " + number + ": expected 'group: user1,user2'");
            }
            String group = line.substring(0, colon).strip();
            checkName("groups line " + number, "group name", group);
            if (!seenGroups.add(group)) {
                throw new IllegalArgumentException("groups line " + number + ": " + named("group", group)
                        + " is listed more than once");
            }
            for (String member : line.substring(colon + 1).split(",")) {
                String user = member.strip();
                if (user.isEmpty()) {
                    continue;
                }
                checkName("groups line " + number, "user name", user);
                membership.computeIfAbsent(user, u -> new HashSet<>()).add(group);
            }
        }
        return membership;
    }

    private static void checkName(String where, String what, String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException(where + ": empty " + what);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(where + ": " + what
                        + " contains whitespace or control characters");
            }
        }
    }

    /**
     * Quotes a name for an error message, unless it looks like crypt text ('$' or '{'): a hash pasted
     * into the name column must not be echoed either.
     */
    private static String named(String what, String name) {
        return name.indexOf('$') >= 0 || name.indexOf('{') >= 0 ? what : what + " '" + name + "'";
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
