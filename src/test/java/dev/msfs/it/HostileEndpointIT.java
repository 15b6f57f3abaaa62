package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.msfs.TestSecrets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 endpoint that serves listings declaring external entities: a local root-only file and a
 * URL (XXE, SSRF). Through a mount, no byte of the file appears in a name, the log or a request,
 * and the URL is never fetched; the listing parses without the entities or fails cleanly.
 */
class HostileEndpointIT {
    private static final String SECRET = TestSecrets.HOSTILE_FILE;

    @Test
    void listingsWithExternalEntitiesLeakNothingAndFetchNothing(@TempDir Path dir) throws Exception {
        Path secretFile = Files.writeString(dir.resolve("secret"), SECRET);
        AtomicInteger fetched = new AtomicInteger();
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer ssrf = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        ssrf.createContext("/", ex -> {
            fetched.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        HttpServer hostile = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE ListBucketResult [<!ENTITY f SYSTEM \"" + secretFile.toUri() + "\">"
                + "<!ENTITY u SYSTEM \"http://127.0.0.1:" + ssrf.getAddress().getPort() + "/latest/meta-data\">]>"
                + "<ListBucketResult><Contents><Key>&f;</Key><Size>1</Size></Contents><Contents><Key>&u;</Key><Size>1</Size>"
                + "</Contents><Contents><Key>plain.txt</Key><Size>1</Size></Contents>"
                + "<NextContinuationToken>&f;</NextContinuationToken></ListBucketResult>";
        hostile.createContext("/", ex -> {
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            byte[] body = xml.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        ssrf.start();
        hostile.start();
        try {
            Path cfg = dir.resolve("c.yaml");
            Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nbackends:\n"
                    + "  - {dir_name: h, backend_type: S3, bucket_container_name: b, trace_level: 3,\n"
                    + "     S3: {endpoint: \"http://127.0.0.1:" + hostile.getAddress().getPort()
                    + "\", access_key_id: k, secret_access_key: s, request_timeout: 5000}}\n");
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                List<String> names;
                try (Stream<Path> s = Files.list(mnt.resolve("h"))) {
                    names = s.map(p -> p.getFileName().toString()).toList();
                } catch (IOException refused) { // failing cleanly is one allowed outcome
                    assertTrue(refused.getMessage().contains("Input/output error"), refused.toString());
                    names = List.of();
                }
                assertFalse(names.toString().contains(SECRET), "the file's content became a name: " + names);
                assertFalse(msfs.log().contains(SECRET), "the file's content reached the log");
                assertTrue(msfs.process().isAlive(), "the daemon died");
            }
            assertFalse(requests.toString().contains(SECRET), "the file's content was sent back: " + requests);
            assertEquals(0, fetched.get(), "the entity's URL was fetched");
            assertFalse(requests.isEmpty(), "the endpoint was never asked: the test proved nothing");
        } finally {
            hostile.stop(0);
            ssrf.stop(0);
        }
    }
}
