package io.registryauth.operator;

import io.registryauth.operator.auth.ServiceAccountAuthenticator;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.oidc.OidcAuthenticator;
import io.registryauth.realm.http.TokenServer;
import java.util.ArrayList;
import java.util.List;

/** How the operator's token server runs, the same in a cluster and in dev mode. */
public final class TokenServerOptions {
    private TokenServerOptions() {
    }

    /**
     * The token server's defaults with identity providers appended to the chain: robots and htpasswd users
     * answer locally, so they are asked first; a provider may need the network, so it is asked last.
     */
    public static TokenServer.Options standard() {
        TokenServer.Options defaults = TokenServer.Options.defaults();
        List<Authenticator> chain = new ArrayList<>(defaults.authenticators());
        chain.add(new OidcAuthenticator());
        return defaults.withAuthenticators(chain);
    }

    /**
     * {@link #standard()} with service-account tokens accepted where a realm enables them: asked before the
     * identity providers, since a TokenReview is one call to an API server the operator needs anyway.
     */
    public static TokenServer.Options standard(ServiceAccountAuthenticator serviceAccounts) {
        TokenServer.Options options = standard();
        List<Authenticator> chain = new ArrayList<>(options.authenticators());
        chain.add(chain.size() - 1, serviceAccounts);
        return options.withAuthenticators(chain);
    }
}
