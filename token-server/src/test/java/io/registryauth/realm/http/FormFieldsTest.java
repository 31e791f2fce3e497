package io.registryauth.realm.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registryauth.realm.RealmException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormFieldsTest {

    @Test
    void rawReservedCharactersPassThrough() {
        FormFields fields = FormFields.decode("service=reg:5000&scope=repository:a/b:pull,push");
        assertThat(fields.first("service")).isEqualTo("reg:5000");
        assertThat(fields.all("scope")).containsExactly("repository:a/b:pull,push");
    }

    @Test
    void percentEncodingAndPlusDecode() {
        FormFields fields = FormFields.decode("scope=a%3Ab+c%20d&scope=%E2%82%AC&n%61me=v");
        assertThat(fields.all("scope")).containsExactly("a:b c d", "\u20ac");
        assertThat(fields.first("name")).isEqualTo("v");
    }

    @Test
    void repeatedEmptyAndValuelessFields() {
        FormFields fields = FormFields.decode("a=1&&a=2&b=&c");
        assertThat(fields.all("a")).isEqualTo(List.of("1", "2"));
        assertThat(fields.first("b")).isEmpty();
        assertThat(fields.first("c")).isEmpty();
        assertThat(fields.first("missing")).isNull();
        assertThat(fields.all("missing")).isEmpty();
        assertThat(FormFields.decode(null).fields()).isEmpty();
        assertThat(FormFields.decode("").fields()).isEmpty();
    }

    @Test
    void rawUtf8BytesAreDecodedAndValidated() {
        // One char per byte, as the request line and the body are read.
        assertThat(FormFields.decode("x=\u00e2\u0082\u00ac").first("x")).isEqualTo("\u20ac");
        assertThatThrownBy(() -> FormFields.decode("x=\u00ff")).isInstanceOf(RealmException.class);
        assertThatThrownBy(() -> FormFields.decode("x=\u20ac")).isInstanceOf(RealmException.class);
    }

    @Test
    void malformedInputIs400() {
        for (String bad : List.of("x=%", "x=%4", "x=%zz", "x=%4g", "x=%ff", "x=%c3", "x=%ed%a0%80", "%zz=1")) {
            assertThatThrownBy(() -> FormFields.decode(bad)).as(bad)
                    .isInstanceOfSatisfying(RealmException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }
}
