package io.registryauth.realm.auth;

import io.registryauth.realm.RealmException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Parses {@code Authorization: Basic <base64(user:password)>} strictly. Every refusal is a 400 whose
 * message describes the problem without repeating any part of the credentials.
 */
public final class BasicAuth {
    public static final int MAX_USERNAME_CHARS = Credentials.MAX_USERNAME_CHARS;
    public static final int MAX_PASSWORD_BYTES = Credentials.MAX_PASSWORD_BYTES;
    /** Base64 of the longest acceptable "user:password" (UTF-8 may take 4 bytes per username char). */
    private static final int MAX_ENCODED_CHARS = (4 * MAX_USERNAME_CHARS + 1 + MAX_PASSWORD_BYTES + 2) / 3 * 4;

    private BasicAuth() {
    }

    public static Credentials parse(String header) {
        if (header == null) {
            throw RealmException.badRequest("missing Authorization header");
        }
        String value = header.strip();
        int space = indexOfWhitespace(value);
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.equalsIgnoreCase("Basic")) {
            throw RealmException.badRequest("unsupported authorization scheme");
        }
        String encoded = space < 0 ? "" : value.substring(space + 1).strip();
        if (encoded.isEmpty()) {
            throw RealmException.badRequest("malformed Basic credentials: nothing after the scheme");
        }
        if (encoded.length() > MAX_ENCODED_CHARS) {
            throw RealmException.badRequest("malformed Basic credentials: too long");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw RealmException.badRequest("malformed Basic credentials: invalid base64");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded))
                    .toString();
        } catch (CharacterCodingException e) {
            throw RealmException.badRequest("malformed Basic credentials: not valid UTF-8");
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw RealmException.badRequest("malformed Basic credentials: no ':' between username and password");
        }
        return Credentials.checked(text.substring(0, colon), text.substring(colon + 1), "malformed Basic credentials");
    }

    private static int indexOfWhitespace(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                return i;
            }
        }
        return -1;
    }
}
