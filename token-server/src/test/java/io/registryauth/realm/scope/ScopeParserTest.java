package io.registryauth.realm.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registryauth.realm.RealmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScopeParserTest {

    private static List<ResourceScope> parse(String... values) {
        return ScopeParser.parse(Arrays.asList(values));
    }

    private static ResourceScope repo(String name, String... actions) {
        return new ResourceScope("repository", null, name, Set.of(actions));
    }

    private static String badRequestMessage(String... values) {
        try {
            parse(values);
        } catch (RealmException e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("INVALID_REQUEST");
            return e.getMessage();
        }
        throw new AssertionError("expected a 400 for " + Arrays.toString(values));
    }

    // --- docs/protocol.md, Scopes: "Seen in practice" ---

    @Test
    void pull() {
        assertThat(parse("repository:team/app:pull")).containsExactly(repo("team/app", "pull"));
    }

    @Test
    void pullPushInEitherOrderIsTheSameSet() {
        assertThat(parse("repository:team/app:pull,push")).containsExactly(repo("team/app", "pull", "push"));
        assertThat(parse("repository:team/app:push,pull")).containsExactly(repo("team/app", "pull", "push"));
    }

    @Test
    void starIsAnAction() {
        assertThat(parse("repository:team/app:*")).containsExactly(repo("team/app", "*"));
    }

    @Test
    void resourceClassIsKept() {
        ResourceScope scope = parse("repository(plugin):x:pull").get(0);
        assertThat(scope).isEqualTo(new ResourceScope("repository", "plugin", "x", Set.of("pull")));
        assertThat(scope.typeWithClass()).isEqualTo("repository(plugin)");
        assertThat(scope.toScopeString()).isEqualTo("repository(plugin):x:pull");
    }

    @Test
    void catalog() {
        assertThat(parse("registry:catalog:*"))
                .containsExactly(new ResourceScope("registry", null, "catalog", Set.of("*")));
        assertThat(parse("registry:catalog:search"))
                .containsExactly(new ResourceScope("registry", null, "catalog", Set.of("search")));
    }

    // --- docs/protocol.md, Scopes: "Grammar" ---

    @Test
    void nameMayCarryHostAndPort() {
        assertThat(parse("repository:host:5000/a/b:pull")).containsExactly(repo("host:5000/a/b", "pull"));
        assertThat(parse("repository:registry.example.com:443/team/app:pull,push"))
                .containsExactly(repo("registry.example.com:443/team/app", "pull", "push"));
        assertThat(parse("repository:localhost/app:pull")).containsExactly(repo("localhost/app", "pull"));
        assertThat(parse("repository:[::1]:5000/app:pull")).containsExactly(repo("[::1]:5000/app", "pull"));
        assertThat(parse("repository:Registry.Example.com/app:pull"))
                .containsExactly(repo("Registry.Example.com/app", "pull"));
    }

    @Test
    void duplicatesMergeTheirActionsAndKeepFirstSeenOrder() {
        assertThat(parse("repository:b:pull", "repository:a:pull", "repository:b:push", "repository:a:pull"))
                .containsExactly(repo("b", "pull", "push"), repo("a", "pull"));
    }

    @Test
    void sameNameWithDifferentClassIsADifferentResource() {
        assertThat(parse("repository:x:pull repository(plugin):x:push"))
                .containsExactly(repo("x", "pull"), new ResourceScope("repository", "plugin", "x", Set.of("push")));
    }

    @Test
    void unknownTypesAreDroppedNotRefused() {
        assertThat(parse("volume:data:mount", "repository:a:pull", "registry:other:*",
                "registry(x):catalog:*")).containsExactly(repo("a", "pull"));
    }

    @Test
    void repeatedValuesAndSpaceSeparatedListsBothWork() {
        List<ResourceScope> expected = List.of(repo("a", "pull"), repo("b", "pull", "push"),
                new ResourceScope("registry", null, "catalog", Set.of("*")));
        assertThat(parse("repository:a:pull", "repository:b:pull,push", "registry:catalog:*")).isEqualTo(expected);
        assertThat(parse("repository:a:pull repository:b:pull,push  registry:catalog:*")).isEqualTo(expected);
        assertThat(parse(" repository:a:pull ", "repository:b:push repository:b:pull", "registry:catalog:*"))
                .isEqualTo(expected);
    }

    @Test
    void emptyAndBlankValuesAreIgnored() {
        assertThat(ScopeParser.parse(List.of())).isEmpty();
        assertThat(ScopeParser.parse(null)).isEmpty();
        assertThat(parse("", "   ", "repository:a:pull")).containsExactly(repo("a", "pull"));
        assertThat(ScopeParser.parse(Arrays.asList((String) null))).isEmpty();
    }

    @Test
    void resultIsImmutable() {
        List<ResourceScope> result = parse("repository:a:pull");
        assertThatThrownBy(() -> result.add(repo("b", "pull"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyResultPrintsBackToAParsableScope() {
        for (ResourceScope scope : parse("repository:host:5000/a/b:push,pull repository(plugin):x:* "
                + "registry:catalog:search,*")) {
            assertThat(parse(scope.toScopeString())).containsExactly(scope);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "a/b/c/d", "a.b", "a_b", "a__b", "a-b", "a---b", "a1/b2.c3_d4__e5-f6",
            "example.com/a", "example.com:5000/a", "host-1:80/a/b", "0/1"})
    void validRepositoryNames(String name) {
        assertThat(parse("repository:" + name + ":pull")).containsExactly(repo(name, "pull"));
    }

    // --- malformed input: a clear 400 naming the problem ---

    @Test
    void fewerThanThreeParts() {
        assertThat(badRequestMessage("repository")).contains("\"repository\"").contains("type:name:actions");
        assertThat(badRequestMessage("repository:a")).contains("\"repository:a\"").contains("type:name:actions");
    }

    @Test
    void emptyParts() {
        assertThat(badRequestMessage(":a:pull")).contains("empty resource type");
        assertThat(badRequestMessage("repository::pull")).contains("empty resource name");
        assertThat(badRequestMessage("repository:a:")).contains("no action");
        assertThat(badRequestMessage("repository:a:pull,")).contains("empty action");
        assertThat(badRequestMessage("repository:a:,pull")).contains("empty action");
        assertThat(badRequestMessage("repository:a:pull,,push")).contains("empty action");
    }

    @ParameterizedTest
    @ValueSource(strings = {"repository():a:pull", "repository(plugin:a:pull", "(plugin):a:pull",
            "repository(a)(b):a:pull", "repository(Plugin):a:pull", "repository(pl-ugin):a:pull",
            "repository(plugin)x:a:pull"})
    void badClassSyntax(String scope) {
        assertThat(badRequestMessage(scope)).contains("resource class");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Repository:a:pull", "repo-sitory:a:pull", "re.po:a:pull"})
    void badTypeSyntax(String scope) {
        assertThat(badRequestMessage(scope)).contains("resource type must match [a-z0-9]+");
    }

    @Test
    void controlAndNonAsciiCharactersAreRefusedAndEscapedInTheMessage() {
        assertThat(badRequestMessage("repository:a\tb:pull"))
                .contains("control, space or non-ASCII").contains("repository:a\\u0009b:pull");
        assertThat(badRequestMessage("repository:caf\u00e9:pull")).contains("caf\\u00e9");
        assertThat(badRequestMessage("repository:a\u0000:pull")).contains("a\\u0000");
        assertThat(badRequestMessage("repository:a\u007f:pull")).contains("a\\u007f");
        assertThat(badRequestMessage("repository:a\r\nX-Injected: yes:pull")).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void escapesDoNotInflateTheQuotedScope() {
        // Found by fuzzing: 100 escaped characters used to become 600 characters of message.
        String message = badRequestMessage("repository:a:pull" + "\u007f".repeat(300));
        assertThat(message).contains("\\u007f...").hasSizeLessThan(200);
    }

    @Test
    void quotesInTheScopeCannotBreakOutOfTheQuotedMessage() {
        assertThat(badRequestMessage("repository:a\"b:pull")).contains("\"repository:a\\\"b:pull\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"A", "a/B", "a//b", "/a", "a/", "-a", "a-", "a..b", "a._b", "a___b", "a.-b", "_a",
            "a/.b", "host:5000", "host:/a", "host:50x0/a", "-host:5000/a", "ho_st:5000/a", "[]:5000/a",
            "[zz]/a", "a/b:5000/c", "a%2fb", "a@sha256"})
    void invalidRepositoryNames(String name) {
        assertThat(badRequestMessage("repository:" + name + ":pull")).contains("invalid repository name");
    }

    @Test
    void repositoryNameOfMoreThan255Characters() {
        String ok = "a".repeat(255);
        assertThat(parse("repository:" + ok + ":pull")).containsExactly(repo(ok, "pull"));
        assertThat(badRequestMessage("repository:" + "a".repeat(256) + ":pull")).contains("longer than 255");
    }

    @ParameterizedTest
    @ValueSource(strings = {"repository:a:Pull", "repository:a:pu-ll", "repository:a:pull;push", "repository:a:1"})
    void badActions(String scope) {
        assertThat(badRequestMessage(scope)).contains("action must match [a-z*]+");
    }

    @Test
    void atMost64Scopes() {
        List<String> sixtyFour = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            sixtyFour.add("repository:r" + i + ":pull");
        }
        assertThat(ScopeParser.parse(sixtyFour)).hasSize(64);
        List<String> sixtyFive = new ArrayList<>(sixtyFour);
        sixtyFive.add("repository:r64:pull");
        assertThatThrownBy(() -> ScopeParser.parse(sixtyFive)).isInstanceOf(RealmException.class)
                .hasMessageContaining("too many scopes");
        assertThat(badRequestMessage(String.join(" ", sixtyFive))).contains("at most 64");
        // Unknown types count too: the limit bounds the work, not the answer.
        sixtyFour.set(0, "volume:x:y");
        sixtyFour.add("volume:y:z");
        assertThatThrownBy(() -> ScopeParser.parse(sixtyFour)).isInstanceOf(RealmException.class);
    }

    @Test
    void atMost512CharactersPerScope() {
        String name = "a/".repeat(127) + "a";
        String scope = "repository:" + name + ":pull";
        assertThat(scope.length()).isLessThanOrEqualTo(512);
        assertThat(parse(scope)).hasSize(1);
        String tooLong = "volume:" + "x".repeat(500) + ":mount";
        assertThat(tooLong.length()).isGreaterThan(512);
        String message = badRequestMessage(tooLong);
        assertThat(message).contains("longer than 512");
        assertThat(message.length()).isLessThan(200);
        assertThat(message).contains("...");
    }

    @Test
    void aMalformedScopeFailsTheRequestEvenBesideGoodOnes() {
        assertThat(badRequestMessage("repository:a:pull", "repository:B:pull")).contains("repository:B:pull");
    }
}
