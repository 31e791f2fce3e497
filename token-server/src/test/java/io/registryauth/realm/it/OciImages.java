package io.registryauth.realm.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tiny single-layer OCI image layouts by hand. Every image holds a file with unique content, so each
 * push really uploads blobs instead of finding them already present.
 */
public final class OciImages {
    public static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

    /** One image in an OCI layout directory, with the digests of what a push uploads. */
    public record OciImage(Path layout, String tag, String manifestDigest, String configDigest,
                           String layerDigest, byte[] layer) {
        /** The skopeo/containers-image reference of this image, e.g. {@code oci:/tmp/x:latest}. */
        public String reference() {
            return "oci:" + layout + ":" + tag;
        }
    }

    private OciImages() {}

    /** Writes a new image layout into {@code layout} (created if absent) and returns it. */
    public static OciImage write(Path layout) {
        try {
            Path blobs = Files.createDirectories(layout.resolve("blobs").resolve("sha256"));
            String content = "hello from " + UUID.randomUUID() + "\n";
            byte[] tar = tar("hello.txt", content.getBytes(StandardCharsets.UTF_8));
            byte[] layer = gzip(tar);
            String layerDigest = writeBlob(blobs, layer);
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + digest(tar) + "\"]}}")
                    .getBytes(StandardCharsets.UTF_8);
            String configDigest = writeBlob(blobs, config);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\","
                    + "\"config\":" + descriptor(CONFIG_TYPE, configDigest, config.length) + ","
                    + "\"layers\":[" + descriptor(LAYER_TYPE, layerDigest, layer.length) + "]}")
                    .getBytes(StandardCharsets.UTF_8);
            String manifestDigest = writeBlob(blobs, manifest);
            String tag = "latest";
            Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
                    + "\"mediaType\":\"" + MANIFEST_TYPE + "\",\"digest\":\"" + manifestDigest + "\","
                    + "\"size\":" + manifest.length + ","
                    + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}");
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            return new OciImage(layout, tag, manifestDigest, configDigest, layerDigest, layer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String descriptor(String mediaType, String digest, int size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private static String writeBlob(Path blobs, byte[] content) throws IOException {
        String digest = digest(content);
        Files.write(blobs.resolve(digest.substring("sha256:".length())), content);
        return digest;
    }

    public static String digest(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }

    /** A ustar archive holding one regular file (mode 0644, owned by root, mtime 0). */
    public static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, "00000000000");
        Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        put(header, 148, String.format("%06o", checksum));
        header[154] = 0;
        int padded = (content.length + 511) / 512 * 512;
        byte[] tar = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, tar, 0, 512);
        System.arraycopy(content, 0, tar, 512, content.length);
        return tar;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
