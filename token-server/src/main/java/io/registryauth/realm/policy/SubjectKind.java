package io.registryauth.realm.policy;

public enum SubjectKind {
    USER, GROUP, SERVICE_ACCOUNT, ANONYMOUS, AUTHENTICATED
}
