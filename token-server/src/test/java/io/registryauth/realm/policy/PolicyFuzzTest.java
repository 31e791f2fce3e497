package io.registryauth.realm.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.registryauth.realm.scope.ResourceScope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes compile + authorize with grants, caller and request written in {@link PolicyScript}'s format.
 * Properties: authorize never throws, never grants a resource or action that was not requested (a
 * requested {@code *} may become pull, push or delete), ignores
 * grant order, and agrees with the plain scan of {@link ReferencePolicy}.
 */
class PolicyFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void authorize(byte[] input) {
        PolicyScript script = PolicyScript.parse(new String(input, StandardCharsets.UTF_8));
        List<ResourceScope> granted = Policy.compile(script.grants()).authorize(script.who(), script.requested());

        for (ResourceScope g : granted) {
            assertThat(g.actions()).isNotEmpty();
            assertThat(script.requested()).anySatisfy(r -> {
                assertThat(r.typeWithClass()).isEqualTo(g.typeWithClass());
                assertThat(r.name()).isEqualTo(g.name());
                // A requested "*" may be answered with the concrete actions the caller holds.
                Set<String> allowed = new HashSet<>(r.actions());
                if (allowed.contains("*")) {
                    allowed.addAll(List.of("pull", "push", "delete"));
                }
                assertThat(allowed).containsAll(g.actions());
            });
        }
        List<Grant> reversed = new ArrayList<>(script.grants());
        Collections.reverse(reversed);
        assertThat(Policy.compile(reversed).authorize(script.who(), script.requested())).isEqualTo(granted);
        assertThat(granted).isEqualTo(new ReferencePolicy(script.grants()).authorize(script.who(), script.requested()));
    }
}
