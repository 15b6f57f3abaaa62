package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that cannot start is skipped with a warning and the others are mounted, as MSFS does;
 * one whose store does not answer the probe is mounted anyway. {@code /backends} shows each state,
 * and {@code /readyz} is ready once the mount is up.
 */
class BackendStatesIT {
    @Test
    void aBackendThatCannotStartIsSkippedAndShownFailed(@TempDir Path dir) throws Exception {
        int port;
        int closed;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            port = a.getLocalPort();
            closed = b.getLocalPort();
        }
        Path cfg = Files.writeString(dir.resolve("c.yaml"), """
                msfs_version: 1
                allow_other: false
                endpoint: http://127.0.0.1:%d
                backends:
                  - {dir_name: p, backend_type: PSEUDO}
                  - {dir_name: gone, backend_type: LOCAL, LOCAL: {base_path: %s}}
                  - {dir_name: s, backend_type: S3, bucket_container_name: b,
                     S3: {endpoint: "http://127.0.0.1:%d", access_key_id: k, secret_access_key: x, request_timeout: 5000}}
                """.formatted(port, dir.resolve("missing"), closed));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            try (Stream<Path> names = Files.list(mnt)) {
                assertEquals(List.of("p", "s"), names.map(x -> x.getFileName().toString()).sorted().toList());
            }
            assertTrue(msfs.log().contains("backend gone cannot start, and is skipped (the others are mounted): backend \"gone\": "
                    + "LOCAL.base_path " + dir.resolve("missing") + " is not a directory"), msfs.log());
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/backends")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            String json = r.body();
            assertTrue(json.contains("{\"dir_name\":\"gone\",\"backend_type\":\"LOCAL\",\"state\":\"failed\",\"reason\":\"backend \\\"gone\\\": "
                    + "LOCAL.base_path"), json);
            assertTrue(json.contains("{\"dir_name\":\"p\",\"backend_type\":\"PSEUDO\",\"state\":\"serving\",\"store\":\"PseudoBackend\"}"), json);
            assertTrue(json.contains("{\"dir_name\":\"s\",\"backend_type\":\"S3\",\"state\":\"serving\",\"store\":\"S3 http://127.0.0.1:"
                    + closed + " bucket b\",\"probe\":"), json);
            assertTrue(json.contains("CONNECTION_REFUSED"), json);
        }
    }
}
