package io.registryauth.realm.policy;

/**
 * What a grant subject or an identity is. ROBOT is the generated credential of one grant: a ROBOT
 * identity is matched only by ROBOT subjects naming it, never by ANONYMOUS, AUTHENTICATED or GROUP ones.
 */
public enum SubjectKind {
    USER, GROUP, SERVICE_ACCOUNT, ANONYMOUS, AUTHENTICATED, ROBOT
}
