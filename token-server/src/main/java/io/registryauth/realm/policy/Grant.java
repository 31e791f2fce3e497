package io.registryauth.realm.policy;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One grant: its subjects may perform {@code actions} (pull, push, delete or "*") on every repository
 * matching one of {@code repositoryPatterns}, and list the catalog when {@code catalog} is set.
 * {@code id} names the grant in audit lines, status and explanations: for a RepositoryAccess its
 * "namespace/name", which is where the grant comes from.
 *
 * <p>{@code validFrom} and {@code validUntil} (either may be null: open) bound when the grant is in force:
 * from {@code validFrom} inclusive to {@code validUntil} exclusive. {@link Policy#compile(java.util.Collection,
 * Instant)} indexes only the grants in force at its instant and says until when that holds.
 */
public record Grant(String id, List<Subject> subjects, List<String> repositoryPatterns, Set<String> actions,
                    boolean catalog, Instant validFrom, Instant validUntil) {
    /** Where a grant is at one instant: not yet in force, in force, or no longer. */
    public enum Validity { PENDING, ACTIVE, EXPIRED }

    public Grant {
        subjects = List.copyOf(subjects);
        repositoryPatterns = List.copyOf(repositoryPatterns);
        actions = Set.copyOf(actions);
    }

    /** A grant in force at all times. */
    public Grant(String id, List<Subject> subjects, List<String> repositoryPatterns, Set<String> actions,
                 boolean catalog) {
        this(id, subjects, repositoryPatterns, actions, catalog, null, null);
    }

    /** Where this grant is at {@code now}. */
    public Validity validity(Instant now) {
        if (validFrom != null && now.isBefore(validFrom)) {
            return Validity.PENDING;
        }
        if (validUntil != null && !now.isBefore(validUntil)) {
            return Validity.EXPIRED;
        }
        return Validity.ACTIVE;
    }

    /** This grant with other validity bounds. */
    public Grant validBetween(Instant from, Instant until) {
        return new Grant(id, subjects, repositoryPatterns, actions, catalog, from, until);
    }
}
