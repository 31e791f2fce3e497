package io.registryauth.realm.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** How a client authenticates to the registry and the realm: a user and password, or anonymously. */
public record Login(String username, String password) {
    public static final Login ANONYMOUS = new Login(null, null);

    public boolean anonymous() {
        return username == null;
    }

    /** {@code user:password}, as skopeo's --creds flags take it. */
    public String creds() {
        return username + ":" + password;
    }

    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(creds().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return anonymous() ? "Login[anonymous]" : "Login[" + username + "]";
    }
}
