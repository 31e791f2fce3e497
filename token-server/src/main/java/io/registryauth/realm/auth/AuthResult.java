package io.registryauth.realm.auth;

/** What the source that owns a credential says about it. */
public sealed interface AuthResult {
    /** Admitted as {@code identity}; {@code binding} says what a session started now depends on. */
    record Admitted(Identity identity, SessionBinding binding) implements AuthResult {
        public Admitted {
            binding = binding == null ? SessionBinding.NONE : binding;
        }

        public Admitted(Identity identity) {
            this(identity, SessionBinding.NONE);
        }
    }

    /** The credentials are this source's and they are wrong. {@code reason} is safe to show. */
    record Rejected(String reason) implements AuthResult {}

    /**
     * The source cannot decide right now (its identity provider is unreachable). The request gets a
     * 503-class answer instead of a wrong 401. {@code reason} is safe to show.
     */
    record Unavailable(String reason) implements AuthResult {}
}
