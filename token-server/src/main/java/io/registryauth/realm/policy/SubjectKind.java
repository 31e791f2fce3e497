package io.registryauth.realm.policy;

/**
 * What a grant subject or an identity is. ROBOT is the generated credential of one grant: a ROBOT
 * identity is matched only by ROBOT subjects naming it, never by ANONYMOUS, AUTHENTICATED or GROUP ones.
 * WORKLOAD is a CI job or other machine holding an ID token of a workload-identity provider: a WORKLOAD
 * identity is matched by WORKLOAD subjects whose claim conditions it meets, and by ANONYMOUS ones, never by
 * AUTHENTICATED, USER or GROUP subjects.
 */
public enum SubjectKind {
    USER, GROUP, SERVICE_ACCOUNT, ANONYMOUS, AUTHENTICATED, ROBOT, WORKLOAD
}
