package io.registryauth.realm.policy;

import java.util.List;
import java.util.Set;

/**
 * One grant: its subjects may perform {@code actions} (pull, push, delete or "*") on every repository
 * matching one of {@code repositoryPatterns}, and list the catalog when {@code catalog} is set.
 * {@code id} names the grant in audit lines and status (for example "namespace/name").
 */
public record Grant(String id, List<Subject> subjects, List<String> repositoryPatterns, Set<String> actions,
                    boolean catalog) {
    public Grant {
        subjects = List.copyOf(subjects);
        repositoryPatterns = List.copyOf(repositoryPatterns);
        actions = Set.copyOf(actions);
    }
}
