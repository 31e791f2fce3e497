package io.registryauth.realm.auth.oidc;

/**
 * The identity provider could not be asked (connection refused, timeout, 5xx, unusable answer). Its
 * message is safe to show: it names the provider and the failure, never a token or a secret.
 */
final class ProviderUnavailableException extends Exception {
    ProviderUnavailableException(String message) {
        super(message);
    }

    ProviderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
