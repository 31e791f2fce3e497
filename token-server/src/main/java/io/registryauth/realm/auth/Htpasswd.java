package io.registryauth.realm.auth;

import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads static users from htpasswd content as {@code htpasswd -B} writes it, plus optional group lines
 * {@code group: user1,user2}. Errors name the line and the user but never quote a hash, since the
 * message ends up in resource status and logs. {@link #parse} refuses a file with any bad line;
 * {@link #read} skips bad lines and names them, so one typo locks out only the user on that line.
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
     * Users read line by line, with what was skipped.
     *
     * @param users    users by name, in file order, from every line that could be read
     * @param problems one message per skipped line (line number and, unless it looks like crypt text, the
     *                 user or group name; never a hash)
     */
    public record Parsed(Map<String, StaticUser> users, List<String> problems) {
        public Parsed {
            users = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(users));
            problems = List.copyOf(problems);
        }
    }

    /**
     * As {@link #parse}, but a line that cannot be read is skipped and reported instead of failing the file.
     * A user listed twice keeps the first line (as Apache's own tools read the file); a group listed twice
     * keeps the first line too.
     */
    public static Parsed read(String htpasswd, String groups) {
        List<String> problems = new ArrayList<>();
        Map<String, String> hashes = parseUsers(htpasswd == null ? "" : htpasswd, problems);
        Map<String, Set<String>> membership = groups == null ? Map.of() : parseGroups(groups, problems);
        return new Parsed(users(hashes, membership), problems);
    }

    /**
     * @param htpasswd  {@code user:$2y$...} lines; blank lines and {@code #} comments ignored, CRLF tolerated
     * @param groups    {@code group: user1,user2} lines, or null
     * @return users by name, in file order
     * @throws IllegalArgumentException naming the offending line
     */
    public static Map<String, StaticUser> parse(String htpasswd, String groups) {
        Map<String, String> hashes = parseUsers(htpasswd == null ? "" : htpasswd, null);
        Map<String, Set<String>> membership = groups == null ? Map.of() : parseGroups(groups, null);
        return users(hashes, membership);
    }

    private static Map<String, StaticUser> users(Map<String, String> hashes, Map<String, Set<String>> membership) {
        Map<String, StaticUser> users = new LinkedHashMap<>();
        hashes.forEach((name, hash) -> users.put(name,
                new StaticUser(name, hash, membership.getOrDefault(name, Set.of()))));
        return users;
    }

    /** With {@code problems} null, the first bad line throws; otherwise it is skipped and reported there. */
    private static Map<String, String> parseUsers(String content, List<String> problems) {
        Map<String, String> hashes = new LinkedHashMap<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            try {
                userLine(stripCr(lines[i]), i + 1, hashes);
            } catch (IllegalArgumentException e) {
                if (problems == null) {
                    throw e;
                }
                problems.add(e.getMessage() + " (line skipped)");
            }
        }
        return hashes;
    }

    private static void userLine(String line, int number, Map<String, String> hashes) {
        if (line.isBlank() || line.stripLeading().startsWith("#")) {
            return;
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

    private static Map<String, Set<String>> parseGroups(String content, List<String> problems) {
        Map<String, Set<String>> membership = new HashMap<>();
        Set<String> seenGroups = new HashSet<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            try {
                groupLine(stripCr(lines[i]).strip(), i + 1, seenGroups, membership);
            } catch (IllegalArgumentException e) {
                if (problems == null) {
                    throw e;
                }
                problems.add(e.getMessage() + " (line skipped)");
            }
        }
        return membership;
    }

    /** Reads one groups line; nothing of a line is kept unless all of it could be read. */
    private static void groupLine(String line, int number, Set<String> seenGroups,
                                  Map<String, Set<String>> membership) {
        if (line.isEmpty() || line.startsWith("#")) {
            return;
        }
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("groups line " + number + ": expected 'group: user1,user2'");
        }
        String group = line.substring(0, colon).strip();
        checkName("groups line " + number, "group name", group);
        if (seenGroups.contains(group)) {
            throw new IllegalArgumentException("groups line " + number + ": " + named("group", group)
                    + " is listed more than once");
        }
        List<String> members = new ArrayList<>();
        for (String member : line.substring(colon + 1).split(",")) {
            String user = member.strip();
            if (!user.isEmpty()) {
                checkName("groups line " + number, "user name", user);
                members.add(user);
            }
        }
        seenGroups.add(group);
        members.forEach(user -> membership.computeIfAbsent(user, u -> new HashSet<>()).add(group));
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
