package io.registryauth.realm.http;

import io.registryauth.realm.auth.Identity;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.scope.ResourceScope;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one token request came to, filled in as the request goes and written as one audit line when
 * the answer is sent. Holds names and scopes only: there is deliberately no field a password or a
 * token could land in.
 */
final class Decision {
    static final String CONTEXT_KEY = "registry-auth.decision";

    final long startNanos = System.nanoTime();
    final String clientAddress;
    volatile String service;
    volatile boolean knownService;
    volatile String subject;
    volatile String authenticator;
    volatile List<ResourceScope> requested = List.of();
    volatile List<ResourceScope> granted = List.of();
    volatile String reason;
    /** password, refresh or anonymous; null before the grant is known (a malformed request). */
    volatile String grant;
    /** For the refresh grant: how long ago the session's login was. */
    volatile Duration sessionAge;
    /** Per requested scope not wholly granted, a short reason code ({@code Explainer.reasonCode}). */
    volatile Map<String, String> denied = Map.of();
    /** For a workload caller: its provider and the claims that name the job (never the token). */
    volatile Map<String, String> workload;

    /** Claims copied to the audit line of a workload caller, so a push can be traced to its job. */
    static final List<String> WORKLOAD_AUDIT_CLAIMS = List.of("repository", "project_path", "ref", "environment",
            "workflow_ref", "event_name", "pipeline_source", "run_id", "run_attempt", "pipeline_id", "job_id", "sha");

    Decision(String clientAddress) {
        this.clientAddress = clientAddress;
    }

    /** The service as a metrics label: only services of the snapshot, so a scanner cannot add series. */
    String serviceLabel() {
        return knownService ? service : "unknown";
    }

    /** Records what names a workload caller; nothing for other identities. */
    void describe(Identity identity) {
        if (identity.kind() != SubjectKind.WORKLOAD) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String source = identity.authenticator();
        fields.put("provider", source.substring(source.indexOf(':') + 1));
        for (String claim : WORKLOAD_AUDIT_CLAIMS) {
            Object value = identity.claims().get(claim);
            if (value != null) {
                fields.put(claim, String.valueOf(value));
            }
        }
        workload = fields;
    }

    String auditLine(Instant time, TokenMetrics.Outcome outcome, int status) {
        JsonText line = JsonText.object(384)
                .field("time", time.toString())
                .field("event", "token")
                .field("service", service)
                .field("subject", subject)
                .field("authenticator", authenticator)
                .field("client", clientAddress)
                .field("requested", scopes(requested))
                .field("granted", scopes(granted))
                .field("outcome", outcome.label)
                .field("status", status);
        if (grant != null) {
            line.field("grant", grant);
        }
        if (sessionAge != null) {
            line.field("sessionAgeSeconds", sessionAge.toSeconds());
        }
        if (reason != null) {
            line.field("reason", reason);
        }
        if (!denied.isEmpty()) {
            line.field("denied", denied);
        }
        if (workload != null) {
            line.field("workload", workload);
        }
        return line.close();
    }

    private static List<String> scopes(List<ResourceScope> scopes) {
        return scopes.stream().map(ResourceScope::toScopeString).toList();
    }
}
