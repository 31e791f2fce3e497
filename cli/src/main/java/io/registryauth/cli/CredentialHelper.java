package io.registryauth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code docker-credential-registry-auth get|store|erase|list|version}: the docker credential-helper
 * protocol. {@code get} answers with the signed-in user and a provider access token that lives at least a
 * minute, which the realm accepts as that user's password. Errors go to stdout with exit status 1, as the
 * protocol wants; the "not found" text only for registries with no sign-in here.
 */
public final class CredentialHelper {
    static final String NOT_FOUND = "credentials not found in native keychain";
    static final String VERSION = "registry-auth 0.1.0";

    private final Store store;
    private final Refresher refresher;

    CredentialHelper(Store store, Refresher refresher) {
        this.store = store;
        this.refresher = refresher;
    }

    public static int run(String[] args, InputStream in, PrintStream out, Env env) {
        Clock clock = Clock.systemUTC();
        Store store = new Store(env.configDir());
        // A class, not a lambda: the first lambda's bootstrap is start-up time this path does without.
        Supplier<OAuth> oauth = new Supplier<>() {
            @Override
            public OAuth get() {
                return new OAuth(new Http(), clock);
            }
        };
        return new CredentialHelper(store, new Refresher(store, clock, oauth)).run(args, in, out);
    }

    int run(String[] args, InputStream in, PrintStream out) {
        if (args.length != 1) {
            out.println("usage: docker-credential-registry-auth get|store|erase|list|version");
            return 1;
        }
        try {
            switch (args[0]) {
                case "get" -> get(readAll(in), out);
                case "store" -> throw new CliException("registry-auth keeps these credentials itself; sign in with"
                        + " `registry-auth login <registry>`");
                case "erase" -> erase(readAll(in));
                case "list" -> list(out);
                case "version" -> out.println(VERSION);
                default -> throw new CliException("unknown command " + Registries.printable(args[0])
                        + "; expected get, store, erase, list or version");
            }
            out.flush();
            return 0;
        } catch (CliException | SessionEndedException e) {
            out.println(e.getMessage());
            out.flush();
            return 1;
        }
    }

    private void get(String serverUrl, PrintStream out) {
        String registry = Registries.normalize(serverUrl);
        Session session = store.load(registry);
        if (session == null) {
            throw new CliException(NOT_FOUND);
        }
        Session fresh = refresher.freshSession(session);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ServerURL", serverUrl.strip());
        answer.put("Username", fresh.username());
        answer.put("Secret", fresh.accessToken());
        out.println(Json.write(answer));
    }

    /** {@code docker logout}: forgets the sign-in here; the provider's session ends when it expires. */
    private void erase(String serverUrl) {
        String registry = Registries.normalize(serverUrl);
        if (!store.delete(registry)) {
            throw new CliException(NOT_FOUND);
        }
    }

    private void list(PrintStream out) {
        Map<String, Object> answer = new LinkedHashMap<>();
        for (Session session : store.all()) {
            answer.put(session.registry(), session.username());
        }
        out.println(Json.write(answer));
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CliException("cannot read the request: " + e.getMessage());
        }
    }
}
