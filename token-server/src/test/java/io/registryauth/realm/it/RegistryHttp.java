package io.registryauth.realm.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw registry API calls with a bearer token, for what skopeo does not expose (catalog, blob mounts). */
public final class RegistryHttp {
    /** HTTP/1.1 like the registry clients (Go's net/http, Jib): no h2c upgrade. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final RegistryProcess registry;

    public RegistryHttp(RegistryProcess registry) {
        this.registry = registry;
    }

    public HttpResponse<String> get(String path, String bearer) {
        return send(request(path, bearer).GET());
    }

    /** {@code GET /v2/<repository>/manifests/<reference>} accepting OCI and Docker manifests. */
    public HttpResponse<String> getManifest(String repository, String reference, String bearer) {
        return send(request("/v2/" + repository + "/manifests/" + reference, bearer)
                .header("Accept", OciImages.MANIFEST_TYPE + ", application/vnd.docker.distribution.manifest.v2+json")
                .GET());
    }

    public HttpResponse<String> head(String path, String bearer) {
        return send(request(path, bearer).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<String> post(String path, String bearer) {
        return send(request(path, bearer).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** Uploads a blob in one request ({@code POST} then monolithic {@code PUT ?digest=}); returns the PUT answer. */
    public HttpResponse<String> pushBlob(String repository, byte[] blob, String digest, String bearer) {
        HttpResponse<String> started = post("/v2/" + repository + "/blobs/uploads/", bearer);
        if (started.statusCode() != 202) {
            throw new IllegalStateException("upload not started: " + started.statusCode() + " " + started.body());
        }
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = registry.uri("/").resolve(location);
        String separator = upload.getRawQuery() == null ? "?" : "&";
        return send(HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)));
    }

    private HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(registry.uri(path));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("registry request failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a registry request", e);
        }
    }
}
