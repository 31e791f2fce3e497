package io.registryauth.cli.review;

import static io.registryauth.cli.review.ReviewRun.AFTER;
import static io.registryauth.cli.review.ReviewRun.BEFORE;
import static io.registryauth.cli.review.ReviewRun.DURING;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * access-diff over manifests/examples/access-review (its README lists the change): a grant added, widened,
 * narrowed, moved to another namespace (still counting, and broken by tenancy), each reported as such, in
 * Markdown, JSON and text, with the exit status a CI job gates on.
 */
class AccessDiffExamplesTest {

    private static List<String> rows(JsonNode array) {
        List<String> rows = new ArrayList<>();
        array.forEach(n -> rows.add(n.get("subject").asText() + " " + n.get("repositories").asText() + " "
                + n.get("actions").toString() + " " + n.get("grants").toString() + " " + n.get("note").asText()));
        return rows;
    }

    @Test
    void theExampleChangeInJson() throws IOException {
        ReviewRun run = ReviewRun.of("access-diff", "--before", BEFORE.toString(), "--after", AFTER.toString(),
                "--format", "json", "--at", DURING);
        assertThat(run.status()).as(run.err()).isEqualTo(AccessDiff.ADDED);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(rows(json.get("added"))).containsExactlyInAnyOrder(
                // added: a new, time-bound grant
                "User auditor ** [\"pull\"] [\"registry/auditors\"] ",
                // widened: team-a/app -> team-a/**
                "Group team-a team-a/** [\"pull\",\"push\"] [\"team-a/app-developers\"] widens team-a/app");
        assertThat(json.get("added").get(0).get("validity").asText() + json.get("added").get(1).get("validity").asText())
                .contains("until 2027-01-01T00:00:00Z");
        assertThat(rows(json.get("subsumed"))).containsExactly(
                "Group team-a team-a/app [\"pull\",\"push\"] [\"team-a/app-developers\"] replaced by wider team-a/**"
                        + " (no access lost)");
        assertThat(rows(json.get("removed"))).containsExactlyInAnyOrder(
                // narrowed: team-a/** -> team-a/releases/*
                "ServiceAccount team-a:ci team-a/** [\"pull\",\"push\"] [\"team-a/ci\"] replaced by narrower"
                        + " team-a/releases/*",
                // moved to team-b: outside its tenancy, so no longer enforced
                "User carol team-a/** [\"pull\",\"push\"] [\"team-a/contractor\"] ");
        assertThat(rows(json.get("narrowed"))).containsExactly(
                "ServiceAccount team-a:ci team-a/releases/* [\"pull\",\"push\"] [\"team-a/ci\"] narrows team-a/**"
                        + " (no access gained)");
        JsonNode notEnforced = json.get("notEnforced");
        assertThat(notEnforced).hasSize(1);
        assertThat(notEnforced.get(0).get("grant").asText()).isEqualTo("team-b/contractor");
        assertThat(notEnforced.get(0).get("reason").asText()).isEqualTo("OutsideTenancy");
        // moved to team-c and still inside its tenancy: no line of access, only the objects.
        assertThat(run.out()).doesNotContain("Group team-c");
        assertThat(json.get("repositoryAccesses").get("new").toString()).contains("team-c/deploy");
        assertThat(json.get("repositoryAccesses").get("deleted").toString()).contains("registry/team-c-deploy");
    }

    @Test
    void markdownForAPullRequestComment() {
        ReviewRun run = ReviewRun.of("access-diff", "--before", BEFORE.toString(), "--after", AFTER.toString(),
                "--format", "markdown", "--at", DURING);
        assertThat(run.status()).isEqualTo(AccessDiff.ADDED);
        assertThat(run.out()).startsWith("### Registry access changes")
                .contains("2 added, 2 removed; 2 lines reworded without gaining or losing access.")
                .contains("| **added** | registry/main | User auditor | `**` | pull | until 2027-01-01T00:00:00Z |"
                        + " registry/auditors |  |")
                .contains("| removed | registry/main | User carol | `team-a/**` | pull, push | always |"
                        + " team-a/contractor |  |")
                .contains("| team-b/contractor | registry/main | OutsideTenancy |")
                .contains("- new: `team-c/deploy`");
    }

    @Test
    void exitStatusTellsAddedFromRemovedFromNothing(@TempDir Path dir) throws IOException {
        assertThat(ReviewRun.of("access-diff", "--before", BEFORE.toString(), "--after", BEFORE.toString()).status())
                .isEqualTo(AccessDiff.UNCHANGED);
        // Only taking access away: the contractor's grant deleted.
        Path after = Files.createDirectories(dir.resolve("after"));
        Files.copy(BEFORE.resolve("registryauth.yaml"), after.resolve("registryauth.yaml"));
        String grants = Files.readString(BEFORE.resolve("grants.yaml"));
        List<String> kept = new ArrayList<>();
        for (String doc : grants.split("(?m)^---$")) {
            if (!doc.contains("name: contractor")) {
                kept.add(doc);
            }
        }
        Files.writeString(after.resolve("grants.yaml"), String.join("---", kept));
        ReviewRun removed = ReviewRun.of("access-diff", "--before", BEFORE.toString(), "--after", after.toString(),
                "--format", "text");
        assertThat(removed.status()).as(removed.out()).isEqualTo(AccessDiff.REMOVED);
        assertThat(removed.out()).isEqualTo("- registry/main User carol team-a/** pull,push (team-a/contractor)\n");
        // Unreadable input is an error, not a verdict.
        Files.writeString(after.resolve("broken.yaml"), "apiVersion: registryauth.io/v1alpha1\nkind: RepositoryAccess\n"
                + "metadata: {name: x}\nspec: {actions: pull}\n");
        ReviewRun error = ReviewRun.of("access-diff", "--before", BEFORE.toString(), "--after", after.toString());
        assertThat(error.status()).isEqualTo(1);
        assertThat(error.err()).contains("broken.yaml");
    }
}
