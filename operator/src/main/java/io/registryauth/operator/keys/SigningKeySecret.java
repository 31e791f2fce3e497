package io.registryauth.operator.keys;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The format of the signing-key Secret, shared by the reconciler (which writes it) and the realm feed (which
 * reads it on every replica). Data keys:
 * <ul>
 *   <li>{@code refresh.key}: 32 random bytes that new refresh tokens are sealed with;</li>
 *   <li>{@code refresh.previous.json} (after a rotation): earlier refresh keys, each kept until every
 *       refresh token it sealed has expired, as a JSON list of {@code {key, retireAfter}};</li>
 *   <li>{@code keys.json}: a JSON list of {@code {id, state, algorithm, createdAt, activatedAt, retireAfter,
 *       privateKey, certificate}} with PEM texts and RFC 3339 instants.</li>
 * </ul>
 * Parse errors name the data key and the problem, never the key material.
 */
public final class SigningKeySecret {
    public static final String REFRESH_KEY = "refresh.key";
    public static final String KEYS = "keys.json";
    public static final String PREVIOUS_REFRESH_KEYS = "refresh.previous.json";
    public static final int REFRESH_KEY_BYTES = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SigningKeySecret() {
    }

    /** Where a key is in its life: in the bundle before signing, signing, or in the bundle after signing. */
    public enum State {
        PENDING, ACTIVE, RETIRING;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State parse(String text) {
            for (State state : values()) {
                if (state.wireName().equals(text)) {
                    return state;
                }
            }
            throw new IllegalArgumentException("unknown key state '" + text + "' (pending, active or retiring)");
        }
    }

    /** One key with its life-cycle stamps; {@code activatedAt}/{@code retireAfter} are null until they apply. */
    public record StoredKey(SigningKey key, State state, Instant createdAt, Instant activatedAt,
                            Instant retireAfter) {
        public StoredKey {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(createdAt, "createdAt");
        }

        public String id() {
            return key.kid();
        }

        public StoredKey activated(Instant at) {
            return new StoredKey(key, State.ACTIVE, createdAt, at, null);
        }

        public StoredKey retiring(Instant removeAfter) {
            return new StoredKey(key, State.RETIRING, createdAt, activatedAt, removeAfter);
        }
    }

    /** A refresh key replaced by a rotation: it still opens the sessions it sealed until {@code retireAfter}. */
    public record PreviousRefreshKey(byte[] key, Instant retireAfter) {
        public PreviousRefreshKey {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(retireAfter, "retireAfter");
        }

        @Override
        public String toString() {
            return "PreviousRefreshKey[retireAfter=" + retireAfter + "]";
        }
    }

    /**
     * Everything the Secret holds. {@code refreshKey} is null when absent; {@code keys} keep their stored order;
     * {@code previousRefreshKeys} are the refresh keys rotated out and not yet retired.
     */
    public record Contents(byte[] refreshKey, List<StoredKey> keys, List<PreviousRefreshKey> previousRefreshKeys) {
        public Contents {
            keys = List.copyOf(keys);
            previousRefreshKeys = List.copyOf(previousRefreshKeys);
        }

        public Contents(byte[] refreshKey, List<StoredKey> keys) {
            this(refreshKey, keys, List.of());
        }

        /** Every refresh key a realm opens sessions with, the current one (which seals new ones) first. */
        public List<byte[]> refreshKeys() {
            List<byte[]> all = new ArrayList<>();
            all.add(refreshKey);
            previousRefreshKeys.forEach(p -> all.add(p.key()));
            return all;
        }

        public Optional<StoredKey> active() {
            return keys.stream().filter(k -> k.state() == State.ACTIVE).findFirst();
        }

        public Optional<StoredKey> pending() {
            return keys.stream().filter(k -> k.state() == State.PENDING).findFirst();
        }

        /** The active signer plus every other stored key (pending and retiring), or empty without an active key. */
        public Optional<KeyRing> keyRing() {
            return active().map(active -> new KeyRing(active.key(),
                    keys.stream().map(StoredKey::key).toList()));
        }

        /**
         * Keys in a fixed order (oldest first) so the bundle text, and so its hash, changes only when the set
         * of keys changes: a key turning active must not roll the registry again.
         */
        public List<StoredKey> bundleOrder() {
            return keys.stream()
                    .sorted(Comparator.comparing(StoredKey::createdAt).thenComparing(StoredKey::id))
                    .toList();
        }

        /** The registry's rootcertbundle: PEM certificates of every stored key. */
        public String certificateBundlePem() {
            StringBuilder bundle = new StringBuilder();
            bundleOrder().forEach(k -> bundle.append(k.key().certificatePem()));
            return bundle.toString();
        }

        /** SHA-256 (hex) of {@link #certificateBundlePem()}. */
        public String bundleHash() {
            return sha256Hex(certificateBundlePem());
        }

        @Override
        public String toString() {
            return "SigningKeySecret.Contents[refreshKey=" + (refreshKey == null ? "absent" : "present")
                    + ", keys=" + keys.stream().map(k -> k.id() + ":" + k.state().wireName()).toList() + "]";
        }
    }

    /**
     * The Secret's contents; empty when there is no Secret. Throws IllegalArgumentException when the Secret
     * exists but cannot be read (the caller must then leave it alone rather than generate over it).
     */
    public static Optional<Contents> read(Secret secret) {
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        byte[] refreshKey = null;
        if (data.containsKey(REFRESH_KEY)) {
            refreshKey = decode(data.get(REFRESH_KEY), REFRESH_KEY);
            if (refreshKey.length < REFRESH_KEY_BYTES) {
                throw new IllegalArgumentException(REFRESH_KEY + " holds " + refreshKey.length
                        + " bytes; at least " + REFRESH_KEY_BYTES + " are needed");
            }
        }
        List<StoredKey> keys = new ArrayList<>();
        if (data.containsKey(KEYS)) {
            String json = new String(decode(data.get(KEYS), KEYS), StandardCharsets.UTF_8);
            List<Entry> entries;
            try {
                entries = JSON.readValue(json, new TypeReference<List<Entry>>() { });
            } catch (JsonProcessingException e) {
                // Jackson's message may quote the input, which holds private keys.
                throw new IllegalArgumentException(KEYS + " is not a JSON list of keys (line "
                        + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
            }
            for (int i = 0; i < entries.size(); i++) {
                try {
                    keys.add(entries.get(i).toStoredKey());
                } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
                    throw new IllegalArgumentException(KEYS + " entry " + i + ": " + e.getMessage());
                }
            }
        }
        List<PreviousRefreshKey> previous = new ArrayList<>();
        if (data.containsKey(PREVIOUS_REFRESH_KEYS)) {
            String json = new String(decode(data.get(PREVIOUS_REFRESH_KEYS), PREVIOUS_REFRESH_KEYS), StandardCharsets.UTF_8);
            try {
                for (PreviousEntry entry : JSON.readValue(json, new TypeReference<List<PreviousEntry>>() { })) {
                    byte[] key = decode(entry.key(), PREVIOUS_REFRESH_KEYS);
                    if (key.length < REFRESH_KEY_BYTES || entry.retireAfter() == null) {
                        throw new IllegalArgumentException(PREVIOUS_REFRESH_KEYS + " holds a key shorter than "
                                + REFRESH_KEY_BYTES + " bytes or without retireAfter");
                    }
                    previous.add(new PreviousRefreshKey(key, Instant.parse(entry.retireAfter())));
                }
            } catch (JsonProcessingException | DateTimeParseException e) {
                // Neither message may quote the input, which holds keys.
                throw new IllegalArgumentException(PREVIOUS_REFRESH_KEYS + " is not a JSON list of {key, retireAfter}");
            }
        }
        long active = keys.stream().filter(k -> k.state() == State.ACTIVE).count();
        long pending = keys.stream().filter(k -> k.state() == State.PENDING).count();
        if (active > 1 || pending > 1) {
            throw new IllegalArgumentException(KEYS + " holds " + active + " active and " + pending
                    + " pending keys; at most one of each is allowed");
        }
        return Optional.of(new Contents(refreshKey, keys, previous));
    }

    /** The realm's keys from a Secret: empty when there is no Secret, no active key, or it cannot be read. */
    public static Optional<KeyRing> keyRing(Secret secret) {
        try {
            return read(secret).flatMap(Contents::keyRing);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The refresh-token MAC key from a Secret: empty when absent or unreadable. */
    public static Optional<byte[]> refreshKey(Secret secret) {
        try {
            return read(secret).map(Contents::refreshKey);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The Secret's {@code data} (base64 values) for these contents. */
    public static Map<String, String> data(Contents contents) {
        Objects.requireNonNull(contents.refreshKey(), "refreshKey");
        List<Entry> entries = contents.keys().stream().map(Entry::of).toList();
        String json;
        try {
            json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entries);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + KEYS, e);
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put(REFRESH_KEY, Base64.getEncoder().encodeToString(contents.refreshKey()));
        data.put(KEYS, Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
        if (!contents.previousRefreshKeys().isEmpty()) {
            List<PreviousEntry> previous = contents.previousRefreshKeys().stream()
                    .map(p -> new PreviousEntry(Base64.getEncoder().encodeToString(p.key()), p.retireAfter().toString()))
                    .toList();
            try {
                data.put(PREVIOUS_REFRESH_KEYS, Base64.getEncoder().encodeToString(
                        JSON.writeValueAsString(previous).getBytes(StandardCharsets.UTF_8)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode " + PREVIOUS_REFRESH_KEYS, e);
            }
        }
        return data;
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decode(String base64, String key) {
        if (base64 == null) {
            throw new IllegalArgumentException(key + " is empty");
        }
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not valid base64");
        }
    }

    /** The stored JSON shape of one previous refresh key. */
    record PreviousEntry(String key, String retireAfter) {
        @Override
        public String toString() {
            return "PreviousEntry[retireAfter=" + retireAfter + "]";
        }
    }

    /** The stored JSON shape of one key. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String id, String state, String algorithm, String createdAt, String activatedAt,
                 String retireAfter, String privateKey, String certificate) {
        static Entry of(StoredKey key) {
            return new Entry(key.id(), key.state().wireName(), key.key().algorithm().name(),
                    key.createdAt().toString(), text(key.activatedAt()), text(key.retireAfter()),
                    key.key().privateKeyPem(), key.key().certificatePem());
        }

        StoredKey toStoredKey() {
            if (privateKey == null || certificate == null || createdAt == null || state == null) {
                throw new IllegalArgumentException("state, createdAt, privateKey and certificate are required");
            }
            SigningKey key = SigningKey.fromPem(privateKey, certificate);
            if (id != null && !id.equals(key.kid())) {
                throw new IllegalArgumentException("id " + id + " does not match the key's id " + key.kid());
            }
            return new StoredKey(key, State.parse(state), Instant.parse(createdAt), instant(activatedAt),
                    instant(retireAfter));
        }

        private static String text(Instant instant) {
            return instant == null ? null : instant.toString();
        }

        private static Instant instant(String text) {
            return text == null ? null : Instant.parse(text);
        }

        @Override
        public String toString() {
            return "Entry[id=" + id + ", state=" + state + "]";
        }
    }
}
