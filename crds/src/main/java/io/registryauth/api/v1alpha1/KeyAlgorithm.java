package io.registryauth.api.v1alpha1;

/** Token signing algorithms every supported registry version verifies. */
public enum KeyAlgorithm {
    ES256,
    ES384,
    RS256
}
