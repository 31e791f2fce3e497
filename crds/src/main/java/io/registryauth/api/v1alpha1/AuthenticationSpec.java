package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Who can get tokens. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthenticationSpec {

    @JsonPropertyDescription("Whether clients without credentials get tokens (with anonymous grants only).")
    private boolean anonymous;

    @JsonPropertyDescription("Static users in htpasswd format; only bcrypt hashes (htpasswd -B) are accepted.")
    private SecretSource htpasswd;

    @JsonPropertyDescription("Optional group file: one 'group: user1,user2' line per group.")
    private SecretSource groups;

    public boolean isAnonymous() {
        return anonymous;
    }

    public void setAnonymous(boolean anonymous) {
        this.anonymous = anonymous;
    }

    public SecretSource getHtpasswd() {
        return htpasswd;
    }

    public void setHtpasswd(SecretSource htpasswd) {
        this.htpasswd = htpasswd;
    }

    public SecretSource getGroups() {
        return groups;
    }

    public void setGroups(SecretSource groups) {
        this.groups = groups;
    }
}
