package io.registryauth.cli.review;

import static io.registryauth.cli.review.ReviewRun.AFTER;
import static io.registryauth.cli.review.ReviewRun.DURING;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** can-i and who-can offline, over manifests/examples/access-review/after. */
class CanIWhoCanTest {
    private static ReviewRun run(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--manifests";
        all[args.length + 1] = AFTER.toString();
        all[args.length + 2] = "--at";
        all[args.length + 3] = DURING;
        return ReviewRun.of(all);
    }

    @Test
    void yesNamesTheGrantAndTheSubjectThatMatched() {
        ReviewRun run = run("can-i", "push", "team-a/app", "--as", "alice", "--group", "team-a");
        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("yes: user alice, groups team-a may push team-a/app (registry registry/main)")
                .contains("granted by team-a/app-developers: push through Group team-a");
    }

    @Test
    void noSaysWhyEachCandidateGrantDoesNotCount() {
        ReviewRun carol = run("can-i", "push", "team-a/app", "--as", "carol");
        assertThat(carol.status()).isEqualTo(ReviewCommands.DENIED);
        assertThat(carol.out()).contains("team-b/contractor: not enforced (would give push): OutsideTenancy");

        ReviewRun developer = run("can-i", "pull,push", "team-a/app", "--as", "dave", "--group", "developers");
        assertThat(developer.status()).isEqualTo(ReviewCommands.DENIED);
        assertThat(developer.out()).contains("granted: pull, missing: push")
                .contains("granted by registry/readers: pull through Group developers");
        assertThat(run("can-i", "push", "team-a/app", "--as", "dave", "--group", "developers").out())
                .contains("nothing is granted there")
                .contains("registry/readers: action not granted: holds only pull");

        ReviewRun ci = run("can-i", "push", "team-a/app", "--as", "system:serviceaccount:team-a:ci");
        assertThat(ci.out()).contains("team-a/ci: repository not matched: patterns team-a/releases/* do not match");
    }

    @Test
    void anExpiredGrantIsExplainedAndJsonCarriesTheReasonCodes() throws IOException {
        ReviewRun run = ReviewRun.of("can-i", "pull", "team-a/app", "--as", "auditor", "--manifests", AFTER.toString(),
                "--at", "2027-01-01T00:00:00Z", "-o", "json");
        assertThat(run.status()).isEqualTo(ReviewCommands.DENIED);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("allowed").asBoolean()).isFalse();
        assertThat(json.get("others").get(0).get("grant").asText()).isEqualTo("registry/auditors");
        assertThat(json.get("others").get(0).get("reason").asText()).isEqualTo("expired");
        assertThat(json.get("others").get(1).get("reason").asText()).isEqualTo("no-matching-subject");
        // A moment earlier it was allowed by that grant.
        assertThat(ReviewRun.of("can-i", "pull", "team-a/app", "--as", "auditor", "--manifests", AFTER.toString(),
                "--at", "2026-12-31T23:59:59Z").status()).isZero();
    }

    @Test
    void whoCanListsSubjectsThroughTheirGrantsAndThoseThatDoNotCount() {
        ReviewRun run = run("who-can", "push", "team-a/app");
        assertThat(run.status()).isZero();
        String[] parts = run.out().split("would, but the grant does not count now:");
        assertThat(parts[0]).contains("Group team-a").contains("team-a/app-developers")
                .doesNotContain("Group developers").doesNotContain("User carol");
        assertThat(parts[1]).contains("User carol").contains("team-b/contractor").contains("OutsideTenancy");
        ReviewRun pull = run("who-can", "pull", "team-c/tool");
        assertThat(pull.out()).contains("Group developers").contains("Group team-c").contains("team-c/deploy")
                .contains("User auditor");
    }

    @Test
    void anInvalidGrantIsExplainedAsNotEnforced(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        java.nio.file.Files.copy(ReviewRun.BEFORE.resolve("registryauth.yaml"), dir.resolve("registryauth.yaml"));
        java.nio.file.Files.writeString(dir.resolve("grant.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata: {name: backwards, namespace: registry}
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: erin}]
                  repositories: ["team-a/**"]
                  actions: [push]
                  validFrom: "2026-12-02T00:00:00Z"
                  validUntil: "2026-12-01T00:00:00Z"
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata: {name: unreadable, namespace: registry}
                spec:
                  registry: {name: main}
                  subjects: [{kind: User, name: erin}]
                  repositories: ["team-a/**"]
                  actions: [push]
                  validUntil: "next friday"
                """);
        ReviewRun run = ReviewRun.of("can-i", "push", "team-a/app", "--as", "erin", "--manifests", dir.toString());
        assertThat(run.status()).as(run.err()).isEqualTo(ReviewCommands.DENIED);
        assertThat(run.out())
                .contains("registry/backwards: not enforced (would give push): InvalidValidity: spec.validUntil")
                .contains("registry/unreadable: not enforced (would give push): InvalidValidity: spec.validUntil:"
                        + " invalid time 'next friday'");
    }

    @Test
    void whoCanListsCiJobsOfAWorkloadGrant(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Files.writeString(dir.resolve("registry.yaml"), """
                apiVersion: registryauth.io/v1alpha1
                kind: RegistryAuth
                metadata: {name: main, namespace: registry}
                spec:
                  service: registry.example.com
                  authentication:
                    workloadIdentity:
                      - {name: github, issuer: "https://token.actions.githubusercontent.com"}
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata: {name: github-main, namespace: registry}
                spec:
                  registry: {name: main}
                  subjects:
                    - kind: Workload
                      provider: github
                      claims: {repository_owner_id: "87654321"}
                      claimPatterns: {ref: refs/heads/*}
                  repositories: ["${claims.repository}/**"]
                  actions: [pull, push]
                ---
                apiVersion: registryauth.io/v1alpha1
                kind: RepositoryAccess
                metadata: {name: releases, namespace: registry}
                spec:
                  registry: {name: main}
                  subjects:
                    - kind: Workload
                      provider: github
                      claims: {repository_id: "42"}
                      condition: "claims.ref_protected == true"
                  repositories: ["acme/releases/**"]
                  actions: [push]
                """);
        ReviewRun app = ReviewRun.of("who-can", "push", "acme/app/server", "--manifests", dir.toString());
        assertThat(app.status()).as(app.err()).isZero();
        assertThat(app.out()).contains("Workload github (repository_owner_id=87654321, ref~refs/heads/*)")
                .contains("registry/github-main")
                .contains("jobs whose repository is acme or acme/app")
                .doesNotContain("registry/releases");

        ReviewRun releases = ReviewRun.of("who-can", "push", "acme/releases/cli", "--manifests", dir.toString());
        assertThat(releases.out()).contains("Workload github (repository_id=42, condition)")
                .contains("if the job also meets: claims.ref_protected == true")
                .as("the templated grant also reaches it, for jobs of the repository acme/releases")
                .contains("jobs whose repository is acme or acme/releases");
        assertThat(ReviewRun.of("who-can", "delete", "acme/releases/cli", "--manifests", dir.toString()).out())
                .contains("nobody");
    }

    @Test
    void mistakesAreErrorsWithStatusOne() {
        assertThat(run("can-i", "fly", "team-a/app", "--as", "alice").status()).isEqualTo(1);
        assertThat(run("can-i", "pull", "team-a//app", "--as", "alice").status()).isEqualTo(1);
        assertThat(run("can-i", "pull", "team-a/app", "--as", "alice", "--registry", "nowhere/none").err())
                .contains("no RegistryAuth nowhere/none");
    }
}
