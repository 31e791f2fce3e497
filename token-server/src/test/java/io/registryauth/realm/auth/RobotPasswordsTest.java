package io.registryauth.realm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RobotPasswordsTest {

    @Test
    void generatedPasswordsAreLongRandomAndMatchTheirHash() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            RobotPasswords.Generated generated = RobotPasswords.generate();
            assertThat(generated.password()).hasSize(43).matches("[A-Za-z0-9_-]+");
            assertThat(seen.add(generated.password())).isTrue();
            assertThat(RobotPasswords.matches(generated.password(), generated.hash())).isTrue();
            assertThat(generated.hash()).startsWith("$sha256$").doesNotContain(generated.password());
        }
    }

    @Test
    void aWrongPasswordDoesNotMatch() {
        RobotPasswords.Generated generated = RobotPasswords.generate();
        String password = generated.password();
        assertThat(RobotPasswords.matches(password + "x", generated.hash())).isFalse();
        assertThat(RobotPasswords.matches(password.substring(1), generated.hash())).isFalse();
        assertThat(RobotPasswords.matches("", generated.hash())).isFalse();
        assertThat(RobotPasswords.matches(null, generated.hash())).isFalse();
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() {
        String password = RobotPasswords.generate().password();
        String first = RobotPasswords.hash(password);
        String second = RobotPasswords.hash(password);
        assertThat(first).isNotEqualTo(second);
        assertThat(RobotPasswords.matches(password, first)).isTrue();
        assertThat(RobotPasswords.matches(password, second)).isTrue();
    }

    @Test
    void shortPasswordsAreNotHashed() {
        assertThatThrownBy(() -> RobotPasswords.hash("correct horse battery staple"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 characters")
                .hasMessageNotContaining("horse");
        assertThatThrownBy(() -> RobotPasswords.hash(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedHashesMatchNothing() {
        String password = RobotPasswords.generate().password();
        String good = RobotPasswords.hash(password);
        for (String bad : new String[] {null, "", "$sha256$", "$sha256$abc", "$sha256$!!$!!", "$md5$" + good.substring(8),
                good.substring(0, good.length() - 2), good + "AA", "$2y$10$abcdefghijklmnopqrstuu"}) {
            assertThat(RobotPasswords.wellFormed(bad)).as(bad).isFalse();
            assertThat(RobotPasswords.matches(password, bad)).as(bad).isFalse();
        }
        assertThat(RobotPasswords.wellFormed(good)).isTrue();
    }

    @Test
    void toStringNeverShowsThePassword() {
        RobotPasswords.Generated generated = RobotPasswords.generate();
        assertThat(generated.toString()).doesNotContain(generated.password()).doesNotContain(generated.hash());
    }
}
