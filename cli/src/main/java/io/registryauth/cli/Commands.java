package io.registryauth.cli;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code registry-auth} command line: login, logout, status and token. */
@Command(name = "registry-auth", mixinStandardHelpOptions = true, version = CredentialHelper.VERSION,
        description = "Sign in to a container registry with your organisation's identity provider.",
        subcommands = {Commands.Login.class, Commands.Logout.class, Commands.Status.class, Commands.Token.class,
                Commands.CanI.class, Commands.WhoCan.class, Commands.AccessDiff.class})
public final class Commands implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }

    static int run(String[] args, Env env) {
        if (ReviewLauncher.handles(args)) {
            return ReviewLauncher.run(args, env);
        }
        CommandLine commandLine = new CommandLine(new Commands(), new Factory(env));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("registry-auth: " + message(e));
            cmd.getErr().flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println("registry-auth: " + e.getMessage() + " (see --help)");
            return 1;
        });
        return commandLine.execute(args);
    }

    static String message(Exception e) {
        if (e instanceof CliException || e instanceof SessionEndedException || e instanceof OAuth.GrantRefused) {
            return e.getMessage();
        }
        return "unexpected " + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    /** Hands every command the environment, so tests can run them against private directories. */
    private record Factory(Env env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            K command = CommandLine.defaultFactory().create(type);
            if (command instanceof Base base) {
                base.env = env;
            }
            return command;
        }
    }

    abstract static class Base implements Callable<Integer> {
        Env env;
        final Clock clock = Clock.systemUTC();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintStream out() {
            return System.out;
        }

        PrintStream err() {
            return System.err;
        }

        Store store() {
            return new Store(env.configDir());
        }

        Session session(String registry) {
            Session session = store().load(registry);
            if (session == null) {
                throw new CliException("not logged in to " + registry + "; run `registry-auth login " + registry + "`");
            }
            return session;
        }
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Sign in for REGISTRY with the identity provider its realm names, store the provider's"
                    + " tokens and set docker, podman and skopeo up to use them through"
                    + " docker-credential-registry-auth."})
    static final class Login extends Base {
        @Parameters(index = "0", paramLabel = "REGISTRY", description = "host[:port] of the registry")
        String registryArgument;

        @Option(names = "--device", description = "Sign in with a code on another device (RFC 8628); the default"
                + " when there is no display")
        boolean device;

        @Option(names = "--no-browser", description = "Print the sign-in address instead of opening a browser")
        boolean noBrowser;

        @Option(names = "--provider", paramLabel = "NAME", description = "Which identity provider, when the realm"
                + " offers several")
        String providerName;

        @Option(names = "--plain-http", description = "Talk HTTP, not HTTPS, to the registry (loopback registries"
                + " always use HTTP)")
        boolean plainHttp;

        @Option(names = "--bin-dir", paramLabel = "DIR", description = "Where to install"
                + " docker-credential-registry-auth (default ~/.local/bin)")
        Path binDir;

        @Override
        public Integer call() {
            String registry = Registries.normalize(registryArgument);
            Http http = new Http();
            OAuth oauth = new OAuth(http, clock);
            Discovery.Realm realm = Discovery.discover(http, registry, plainHttp);
            Provider provider = choose(realm.providers()).discover(http);

            boolean useDevice = device || (!noBrowser && !env.hasDisplay());
            TokenSet tokens = useDevice
                    ? new DeviceFlow(http, oauth, clock, err(), d -> Thread.sleep(d.toMillis())).signIn(provider)
                    : new CodeFlow(oauth, err(), noBrowser ? null : Commands::openBrowser).signIn(provider);

            Map<String, Object> claims = TokenSet.claims(tokens.accessToken());
            if (Json.string(claims, provider.usernameClaim()) == null && tokens.idToken() != null) {
                claims = TokenSet.claims(tokens.idToken());
            }
            String username = Json.string(claims, provider.usernameClaim());
            if (username == null) {
                throw new CliException("provider " + provider.name() + " issued a token without the user claim "
                        + provider.usernameClaim());
            }
            confirmWithRealm(http, realm, username, tokens.accessToken(), registry);

            Store store = store();
            Session session = new Session(registry, realm.tokenUrl(), realm.service(), provider.name(),
                    provider.issuer(), provider.clientId(), provider.endpoints().token(),
                    provider.endpoints().revocation(), username, Json.claimStrings(claims, provider.groupsClaim()),
                    tokens.accessToken(), tokens.obtainedAt(), tokens.accessExpiresAt(), tokens.refreshToken(), tokens.refreshExpiresAt(),
                    List.of());
            store.save(session);
            List<String> configured = new ArrayList<>();
            for (Path file : List.of(env.dockerConfig(), env.containersAuthFile())) {
                ClientConfigs.addHelper(file, registry);
                configured.add(file.toAbsolutePath().toString());
            }
            store.save(session.withConfiguredFiles(configured));

            Path bin = binDir != null ? binDir : env.defaultBinDir();
            Path jar = Installer.runningJar();
            if (jar == null) {
                err().println("Not running from registry-auth.jar: " + Installer.HELPER_NAME + " was not installed.");
            } else {
                Installer installer = new Installer(env.configDir());
                installer.install(bin, jar);
                installer.train(bin, registry, env);
                if (!env.onPath(bin)) {
                    err().println(bin + " is not on your PATH: add it, or docker and podman will not find "
                            + Installer.HELPER_NAME + ".");
                }
            }
            out().println("Logged in to " + registry + " as " + username + " (provider " + provider.name() + ")");
            return 0;
        }

        private Provider choose(List<Provider> providers) {
            if (providerName != null) {
                return providers.stream().filter(p -> p.name().equals(providerName)).findFirst()
                        .orElseThrow(() -> new CliException("the realm offers no provider " + providerName
                                + "; it offers " + names(providers)));
            }
            if (providers.size() == 1) {
                return providers.get(0);
            }
            java.io.Console console = System.console();
            if (console == null) {
                throw new CliException("the realm offers several providers (" + names(providers)
                        + "); choose one with --provider");
            }
            for (int i = 0; i < providers.size(); i++) {
                console.printf("%d) %s (%s)%n", i + 1, providers.get(i).name(), providers.get(i).issuer());
            }
            String answer = console.readLine("Sign in with [1-%d]: ", providers.size());
            try {
                return providers.get(Integer.parseInt(answer == null ? "" : answer.strip()) - 1);
            } catch (RuntimeException e) {
                throw new CliException("no provider chosen");
            }
        }

        private static String names(List<Provider> providers) {
            return providers.stream().map(Provider::name).collect(Collectors.joining(", "));
        }
    }

    /** Asks the realm for a token with the provider's: proves the realm accepts it before anything is written. */
    static String confirmWithRealm(Http http, Discovery.Realm realm, String username, String accessToken,
                                   String registry) {
        return realmToken(http, realm.tokenUrl(), realm.service(), List.of(), username, accessToken, registry);
    }

    static String realmToken(Http http, String tokenUrl, String service, List<String> scopes, String username,
                             String accessToken, String registry) {
        StringBuilder url = new StringBuilder(tokenUrl).append(tokenUrl.contains("?") ? "&" : "?")
                .append("service=").append(Http.encode(service));
        scopes.forEach(scope -> url.append("&scope=").append(Http.encode(scope)));
        String basic = "Basic " + Base64.getEncoder().encodeToString((username + ":" + accessToken)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Http.Response response = http.get(URI.create(url.toString()), basic);
        Map<String, Object> json;
        try {
            json = response.json("the realm's answer");
        } catch (CliException e) {
            throw new CliException("the realm of " + registry + " answered HTTP " + response.status());
        }
        if (response.status() != 200) {
            String why = "HTTP " + response.status();
            if (json.get("errors") instanceof List<?> errors && !errors.isEmpty()
                    && errors.get(0) instanceof Map<?, ?> first && first.get("message") instanceof String m) {
                why = m;
            }
            throw new CliException("the realm of " + registry + " refused the sign-in: " + why);
        }
        String token = Json.string(json, "token") != null ? Json.string(json, "token") : Json.string(json, "access_token");
        if (token == null) {
            throw new CliException("the realm of " + registry + " answered without a token");
        }
        return token;
    }

    static boolean openBrowser(String url) {
        String opener = System.getProperty("os.name", "").startsWith("Mac") ? "open" : "xdg-open";
        try {
            new ProcessBuilder(opener, url).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "Revoke the sign-in for REGISTRY at the provider, delete the stored tokens and the"
                    + " credHelpers entries login wrote.")
    static final class Logout extends Base {
        @Parameters(index = "0", paramLabel = "REGISTRY")
        String registryArgument;

        @Override
        public Integer call() {
            String registry = Registries.normalize(registryArgument);
            Session session = session(registry);
            String revoked = "";
            if (session.revocationEndpoint() != null && session.refreshToken() != null) {
                try {
                    new OAuth(new Http(), clock).revoke(session.revocationEndpoint(), session.clientId(),
                            session.refreshToken());
                    revoked = "; the provider revoked the session";
                } catch (CliException e) {
                    err().println("registry-auth: " + e.getMessage() + "; removing the local sign-in anyway");
                }
            }
            List<Path> files = new ArrayList<>();
            session.configuredFiles().forEach(f -> files.add(Path.of(f)));
            files.add(env.dockerConfig());
            files.add(env.containersAuthFile());
            files.stream().map(p -> p.toAbsolutePath().normalize()).distinct()
                    .forEach(file -> ClientConfigs.removeHelper(file, registry));
            store().delete(registry);
            out().println("Logged out of " + registry + revoked);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show, per registry, the user, groups, provider and when the access token and the"
                    + " provider's session expire.")
    static final class Status extends Base {
        @Parameters(index = "0", paramLabel = "REGISTRY", arity = "0..1")
        String registryArgument;

        @Override
        public Integer call() {
            List<Session> sessions = registryArgument != null
                    ? List.of(session(Registries.normalize(registryArgument))) : store().all();
            PrintStream out = out();
            if (sessions.isEmpty()) {
                out.println("Not logged in to any registry.");
            }
            Instant now = clock.instant();
            for (Session s : sessions) {
                out.println(s.registry());
                out.println("  user:         " + s.username() + " (provider " + s.provider() + ", " + s.issuer() + ")");
                out.println("  groups:       " + (s.groups().isEmpty() ? "(none)" : String.join(", ", s.groups())));
                out.println("  access token: " + when(s.accessExpiresAt(), now, "unknown")
                        + " (renewed by the credential helper)");
                out.println("  session:      " + (s.refreshToken() == null ? "no refresh token"
                        : when(s.sessionExpiresAt(), now, "no expiry announced by the provider")));
            }
            return 0;
        }

        private static String when(long epochSeconds, Instant now, String unknown) {
            if (epochSeconds <= 0) {
                return unknown;
            }
            Instant at = Instant.ofEpochSecond(epochSeconds);
            Duration left = Duration.between(now, at);
            String relative = left.isNegative() ? "expired " + human(left.negated()) + " ago"
                    : "expires in " + human(left);
            return relative + ", at " + at.truncatedTo(ChronoUnit.SECONDS);
        }

        private static String human(Duration d) {
            long s = d.toSeconds();
            if (s < 120) {
                return s + "s";
            }
            if (s < 7200) {
                return s / 60 + "m";
            }
            if (s < 172800) {
                return s / 3600 + "h";
            }
            return s / 86400 + "d";
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Print a realm token for REGISTRY, e.g. for curl: "
                    + "curl -H \"Authorization: Bearer $(registry-auth token R --scope repository:team/app:pull)\" ...")
    static final class Token extends Base {
        @Parameters(index = "0", paramLabel = "REGISTRY")
        String registryArgument;

        @Option(names = "--scope", paramLabel = "SCOPE", description = "e.g. repository:team/app:pull,push"
                + " (repeatable)")
        List<String> scopes = new ArrayList<>();

        @Override
        public Integer call() {
            String registry = Registries.normalize(registryArgument);
            Store store = store();
            Http http = new Http();
            Session session = new Refresher(store, clock, () -> new OAuth(http, clock)).freshSession(session(registry));
            out().println(realmToken(http, session.realm(), session.service(), scopes, session.username(),
                    session.accessToken(), registry));
            return 0;
        }
    }

    /** Listed in the usage; {@link #run} hands the command to {@link ReviewLauncher} before parsing. */
    @Command(name = "can-i", description = "Whether a caller may pull/push/delete a repository, and the grants"
            + " that decide it (see can-i --help)")
    static final class CanI extends ReviewStub {
    }

    @Command(name = "who-can", description = "Every subject that may pull/push/delete a repository, through which"
            + " grant (see who-can --help)")
    static final class WhoCan extends ReviewStub {
    }

    @Command(name = "access-diff", description = "The access two directories of grants give, compared: for a pull"
            + " request (see access-diff --help)")
    static final class AccessDiff extends ReviewStub {
    }

    abstract static class ReviewStub implements Callable<Integer> {
        @CommandLine.Unmatched
        List<String> args = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> all = new ArrayList<>();
            all.add(spec.name());
            all.addAll(args);
            return ReviewLauncher.run(all.toArray(new String[0]), Env.system());
        }
    }
}
