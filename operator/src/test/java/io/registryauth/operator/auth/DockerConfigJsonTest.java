package io.registryauth.operator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registryauth.realm.auth.Credentials;
import io.registryauth.realm.auth.RobotCredentials;
import io.registryauth.realm.auth.RobotPasswords;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DockerConfigJsonTest {
    private static final String HOST = "registry.example.com:5000";
    private static final String ROBOT = RobotCredentials.nameFor("team-a", "pull");

    @Test
    void writesWhatTheKubeletAndDockerRead() throws Exception {
        String password = RobotPasswords.generate().password();
        JsonNode entry = new ObjectMapper().readTree(DockerConfigJson.write(HOST, ROBOT, password)).path("auths").path(HOST);
        assertThat(entry.path("username").asText()).isEqualTo("robot$team-a$pull");
        assertThat(entry.path("password").asText()).isEqualTo(password);
        // docker splits auth at its first ':', so the user name must hold none.
        String auth = new String(Base64.getDecoder().decode(entry.path("auth").asText()), StandardCharsets.UTF_8);
        assertThat(auth.substring(0, auth.indexOf(':'))).isEqualTo(ROBOT);
        assertThat(auth.substring(auth.indexOf(':') + 1)).isEqualTo(password);
    }

    @Test
    void readsBackItsOwnContentOnly() {
        String password = RobotPasswords.generate().password();
        assertThat(DockerConfigJson.read(DockerConfigJson.write(HOST, ROBOT, password)))
                .contains(new Credentials(ROBOT, password));
        String edited = DockerConfigJson.write(HOST, ROBOT, password).replace(password, "typed-by-hand");
        assertThat(DockerConfigJson.read(edited)).isEmpty();
        String twoEntries = DockerConfigJson.write(HOST, ROBOT, password).replace("}}}",
                "},\"other.host\":{\"auth\":\"eDp5\"}}}");
        assertThat(DockerConfigJson.read(twoEntries)).isEmpty();
        for (String junk : new String[] {null, "", "{", "[]", "{\"auths\":{}}", "{\"auths\":{\"" + HOST + "\":\"x\"}}"}) {
            assertThat(DockerConfigJson.read(junk)).as(junk).isEmpty();
        }
    }

    @Test
    void readsTheEntryWhateverHostItNames() {
        String password = RobotPasswords.generate().password();
        assertThat(DockerConfigJson.read(DockerConfigJson.write("old.registry.example.com", ROBOT, password)))
                .contains(new Credentials(ROBOT, password));
    }
}
