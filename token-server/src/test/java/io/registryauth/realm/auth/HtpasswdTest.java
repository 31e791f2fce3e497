package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HtpasswdTest {
    /** Hashes of "s3cret-pass" written by glibc/libxcrypt crypt(3), salt abcdefghijklmnopqrstuu. */
    static final String HASH_2Y = "$2y$05$abcdefghijklmnopqrstuuV7fpPozvyqJfnY19y0802WTlXUm6Rjy";
    static final String HASH_2A = "$2a$05$abcdefghijklmnopqrstuuV7fpPozvyqJfnY19y0802WTlXUm6Rjy";
    static final String HASH_2B = "$2b$05$abcdefghijklmnopqrstuuV7fpPozvyqJfnY19y0802WTlXUm6Rjy";

    @Test
    void readsBcryptUsersOfEveryVersion() {
        Map<String, StaticUser> users = Htpasswd.parse(
                "alice:" + HASH_2Y + "\nbob:" + HASH_2A + "\ncarol:" + HASH_2B + "\n", null);

        assertThat(users).containsOnlyKeys("alice", "bob", "carol");
        assertThat(users.get("alice")).isEqualTo(new StaticUser("alice", HASH_2Y, Set.of()));
        assertThat(users.get("bob").bcryptHash()).isEqualTo(HASH_2A);
        assertThat(users.get("carol").bcryptHash()).isEqualTo(HASH_2B);
        assertThat(users.keySet()).containsExactly("alice", "bob", "carol");
    }

    @Test
    void ignoresCommentsAndBlankLinesAndToleratesCrlf() {
        String content = "# users\r\n\r\n   \r\nalice:" + HASH_2Y + "\r\n  # indented comment\r\nbob:" + HASH_2B + "  \r\n";

        Map<String, StaticUser> users = Htpasswd.parse(content, null);

        assertThat(users).containsOnlyKeys("alice", "bob");
        assertThat(users.get("bob").bcryptHash()).isEqualTo(HASH_2B);
    }

    @Test
    void emptyOrNullContentHasNoUsers() {
        assertThat(Htpasswd.parse("", null)).isEmpty();
        assertThat(Htpasswd.parse(null, null)).isEmpty();
        assertThat(Htpasswd.parse("\n\n# nobody\n", "")).isEmpty();
    }

    @Test
    void refusesOtherHashKindsNamingUserAndLineButNotTheHash() {
        String sha = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";
        String apr1 = "$apr1$7GdL8pEm$PtFhCVzW8t5cqvYMbG3t.1";
        String crypt = "rqXexS6ZhobKA";
        String sha512 = "$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.";

        for (String hash : new String[] {sha, apr1, crypt, sha512, HASH_2Y.substring(0, 50), HASH_2Y.replace("$05$", "$5$")}) {
            assertThatThrownBy(() -> Htpasswd.parse("alice:" + HASH_2Y + "\n# note\nbob:" + hash + "\n", null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("htpasswd line 3: user 'bob' has an unsupported password hash")
                    .hasMessageContaining("htpasswd -B")
                    .message().doesNotContain(hash);
        }
    }

    @Test
    void refusesBcryptCostsHtpasswdWouldNotWrite() {
        assertThat(Htpasswd.parse("alice:" + HASH_2Y.replace("$05$", "$17$"), null)).containsKey("alice");
        assertThat(Htpasswd.parse("alice:" + HASH_2Y.replace("$05$", "$04$"), null)).containsKey("alice");
        assertThatThrownBy(() -> Htpasswd.parse("alice:" + HASH_2Y.replace("$05$", "$31$"), null))
                .hasMessage("htpasswd line 1: user 'alice' has a bcrypt cost of 31; costs 4 to 17 are accepted");
        assertThatThrownBy(() -> Htpasswd.parse("alice:" + HASH_2Y.replace("$05$", "$03$"), null))
                .hasMessage("htpasswd line 1: user 'alice' has a bcrypt cost of 3; costs 4 to 17 are accepted");
    }

    @Test
    void refusesDuplicateUsers() {
        assertThatThrownBy(() -> Htpasswd.parse("alice:" + HASH_2Y + "\nalice:" + HASH_2B + "\n", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("htpasswd line 2: user 'alice' is listed more than once");
    }

    @Test
    void refusesLinesWithoutUserOrColonWithoutQuotingThem() {
        assertThatThrownBy(() -> Htpasswd.parse(HASH_2Y + "\n", null))
                .hasMessage("htpasswd line 1: expected user:hash");
        assertThatThrownBy(() -> Htpasswd.parse("alice:" + HASH_2Y + "\n:" + HASH_2B, null))
                .hasMessage("htpasswd line 2: empty user name");
        assertThatThrownBy(() -> Htpasswd.parse("al ice:" + HASH_2Y, null))
                .hasMessage("htpasswd line 1: user name contains whitespace or control characters");
        assertThatThrownBy(() -> Htpasswd.parse("alice:", null))
                .hasMessageStartingWith("htpasswd line 1: user 'alice' has an unsupported password hash");
    }

    @Test
    void doesNotEchoANameThatLooksLikeCryptText() {
        String pasted = HASH_2Y.substring(0, 30);
        assertThatThrownBy(() -> Htpasswd.parse(pasted + ":x", null))
                .hasMessageStartingWith("htpasswd line 1: user has an unsupported password hash")
                .message().doesNotContain(pasted);
    }

    @Test
    void assignsGroupsWhitespaceTolerant() {
        Map<String, StaticUser> users = Htpasswd.parse("alice:" + HASH_2Y + "\nbob:" + HASH_2B + "\ncarol:" + HASH_2A,
                "# groups\r\ndevelopers: alice, bob\r\n  ops :bob\n\nadmins:\nreaders: ghost , alice,,\n");

        assertThat(users.get("alice").groups()).containsExactlyInAnyOrder("developers", "readers");
        assertThat(users.get("bob").groups()).containsExactlyInAnyOrder("developers", "ops");
        assertThat(users.get("carol").groups()).isEmpty();
        assertThat(users).doesNotContainKey("ghost");
    }

    @Test
    void refusesMalformedGroupLines() {
        String htpasswd = "alice:" + HASH_2Y;
        assertThatThrownBy(() -> Htpasswd.parse(htpasswd, "developers alice"))
                .hasMessage("groups line 1: expected 'group: user1,user2'");
        assertThatThrownBy(() -> Htpasswd.parse(htpasswd, "\n: alice"))
                .hasMessage("groups line 2: empty group name");
        assertThatThrownBy(() -> Htpasswd.parse(htpasswd, "dev: alice\ndev: bob"))
                .hasMessage("groups line 2: group 'dev' is listed more than once");
        assertThatThrownBy(() -> Htpasswd.parse(htpasswd, "dev: al ice"))
                .hasMessage("groups line 1: user name contains whitespace or control characters");
    }

    @Test
    void readSkipsBadLinesAndNamesThemWithoutQuotingThem() {
        String md5 = "$1$md5hash$abcdefghijklmnopqrstuv";
        Htpasswd.Parsed parsed = Htpasswd.read("alice:" + HASH_2Y + "\n" + HASH_2B + "\nbob:" + HASH_2A
                + "\ncarol:" + md5 + "\nalice:" + HASH_2B + "\n", "devs: alice,bob\nops alice\ndevs: carol\nqa: al ice\n");

        assertThat(parsed.users()).containsOnlyKeys("alice", "bob");
        assertThat(parsed.users().get("alice").bcryptHash()).as("the first line of a user wins").isEqualTo(HASH_2Y);
        assertThat(parsed.users().get("bob").groups()).containsExactly("devs");
        assertThat(parsed.problems()).containsExactly(
                "htpasswd line 2: expected user:hash (line skipped)",
                "htpasswd line 4: user 'carol' has an unsupported password hash; only bcrypt hashes as written by"
                        + " htpasswd -B (version 2y, 2a or 2b) are accepted (line skipped)",
                "htpasswd line 5: user 'alice' is listed more than once (line skipped)",
                "groups line 2: expected 'group: user1,user2' (line skipped)",
                "groups line 3: group 'devs' is listed more than once (line skipped)",
                "groups line 4: user name contains whitespace or control characters (line skipped)");
        assertThat(String.join("\n", parsed.problems())).doesNotContain(HASH_2B).doesNotContain(md5);
    }

    @Test
    void readOfAGoodFileEqualsParse() {
        String htpasswd = "alice:" + HASH_2Y + "\nbob:" + HASH_2B + "\n";
        Htpasswd.Parsed parsed = Htpasswd.read(htpasswd, "devs: bob\n");
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.users()).isEqualTo(Htpasswd.parse(htpasswd, "devs: bob\n"));
    }
}
