package io.registryauth.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The authorization-code grant with PKCE (S256) for a native app (RFC 8252): the browser comes back to
 * {@code http://127.0.0.1:<free port>/callback}, served here until the code arrives.
 */
final class CodeFlow {
    static final Duration WAIT = Duration.ofMinutes(5);

    private final OAuth oauth;
    private final PrintStream err;
    private final Browser browser;

    /** Opens a URL in the user's browser; false when it could not. */
    interface Browser {
        boolean open(String url);
    }

    CodeFlow(OAuth oauth, PrintStream err, Browser browser) {
        this.oauth = oauth;
        this.err = err;
        this.browser = browser;
    }

    TokenSet signIn(Provider provider) {
        if (provider.endpoints().authorization() == null) {
            throw new CliException("provider " + provider.name() + " has no authorization endpoint; try --device");
        }
        Pkce pkce = Pkce.create();
        String state = Pkce.random(16);
        CompletableFuture<Map<String, String>> callback = new CompletableFuture<>();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new CliException("cannot listen on the loopback address: " + e.getMessage(), e);
        }
        server.createContext("/callback", exchange -> answer(exchange, callback));
        server.start();
        try {
            String redirectUri = "http://127.0.0.1:" + server.getAddress().getPort() + "/callback";
            Map<String, String> query = new LinkedHashMap<>();
            query.put("response_type", "code");
            query.put("client_id", provider.clientId());
            query.put("redirect_uri", redirectUri);
            query.put("scope", String.join(" ", provider.scopes()));
            query.put("state", state);
            query.put("code_challenge", pkce.challenge());
            query.put("code_challenge_method", "S256");
            String endpoint = provider.endpoints().authorization();
            String url = endpoint + (endpoint.contains("?") ? "&" : "?") + Http.form(query);
            err.println("Sign in to " + provider.name() + " in your browser:");
            err.println("  " + url);
            err.flush();
            if (browser != null && !browser.open(url)) {
                err.println("(could not open a browser; open the address above yourself)");
            }
            Map<String, String> result = await(callback);
            if (result.get("error") != null) {
                String description = result.get("error_description");
                throw new CliException("sign-in refused: " + result.get("error")
                        + (description != null ? " (" + description + ")" : ""));
            }
            String returnedState = result.getOrDefault("state", "");
            if (!MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                    returnedState.getBytes(StandardCharsets.UTF_8))) {
                throw new CliException("the browser came back with a different sign-in (state mismatch)");
            }
            String code = result.get("code");
            if (code == null) {
                throw new CliException("the browser came back without an authorization code");
            }
            try {
                return oauth.authorizationCode(provider.endpoints().token(), provider.clientId(), code, redirectUri,
                        pkce.verifier());
            } catch (OAuth.GrantRefused e) {
                throw new CliException("provider " + provider.name() + " refused the code: " + e.getMessage());
            }
        } finally {
            server.stop(0);
        }
    }

    private static Map<String, String> await(CompletableFuture<Map<String, String>> callback) {
        try {
            return callback.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new CliException("no sign-in within " + WAIT.toMinutes() + " minutes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting for the browser");
        } catch (ExecutionException e) {
            throw new CliException("the browser's answer could not be read");
        }
    }

    private static void answer(HttpExchange exchange, CompletableFuture<Map<String, String>> callback)
            throws IOException {
        Map<String, String> params = parse(exchange.getRequestURI().getRawQuery());
        boolean relevant = params.containsKey("code") || params.containsKey("error");
        String page = !relevant ? "This address only receives a sign-in."
                : params.containsKey("error") ? "Sign-in failed. Return to the terminal."
                : "Signed in. You can close this tab and return to the terminal.";
        byte[] body = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>registry-auth</title></head>"
                + "<body><p id=\"result\">" + page + "</p></body></html>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(relevant ? 200 : 404, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
        if (relevant) {
            callback.complete(params);
        }
    }

    static Map<String, String> parse(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    params.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // malformed pair: ignored
                }
            }
        }
        return params;
    }
}
