package io.registryauth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;

/** Token lifetimes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TokenSpec {

    public static final String DEFAULT_TTL = "15m";
    public static final String DEFAULT_REFRESH_TTL = "720h";

    @Default(DEFAULT_TTL)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Access-token lifetime, e.g. 15m. Lifetimes under a few minutes break long pushes.")
    private String ttl = DEFAULT_TTL;

    @Default(DEFAULT_REFRESH_TTL)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Refresh-token lifetime, e.g. 720h; 0 issues no refresh tokens.")
    private String refreshTtl = DEFAULT_REFRESH_TTL;

    public String getTtl() {
        return ttl;
    }

    public void setTtl(String ttl) {
        this.ttl = ttl;
    }

    public String getRefreshTtl() {
        return refreshTtl;
    }

    public void setRefreshTtl(String refreshTtl) {
        this.refreshTtl = refreshTtl;
    }

    /** The access-token lifetime; throws IllegalArgumentException when the text is invalid. */
    public Duration ttlDuration() {
        return Durations.parse(ttl, Durations.parse(DEFAULT_TTL));
    }

    /** The refresh-token lifetime ({@link Duration#ZERO} = none); throws when the text is invalid. */
    public Duration refreshTtlDuration() {
        return Durations.parse(refreshTtl, Durations.parse(DEFAULT_REFRESH_TTL));
    }
}
