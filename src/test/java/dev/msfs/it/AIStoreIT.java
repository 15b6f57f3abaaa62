package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AIStore through a real mount, against {@link FakeAIStore} (AIStore itself cannot be installed
 * here): listing and reading through the proxy's redirect, manifest_gen_backend routing to S3,
 * a failing read, and a wrong token.
 */
class AIStoreIT {
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String aisBackend(String name, FakeAIStore ais, String token, String extra) {
        return "  - {dir_name: " + name + ", backend_type: AIStore, bucket_container_name: shared, directory_page_size: 2,\n"
                + "     AIStore: {endpoint: \"" + ais.endpoint() + "\", authnToken: " + token + ", provider: s3, timeout: 5000"
                + extra + "}}\n";
    }

    @Test
    void listsAndReadsThroughTheProxyRedirectAndMapsErrors(@TempDir Path dir) throws Exception {
        try (FakeAIStore ais = new FakeAIStore(TestSecrets.AIS_TOKEN, "s3")) {
            byte[] big = new byte[3 << 20];
            new Random(5).nextBytes(big);
            ais.put("shared", "a.txt", "hello ais".getBytes(StandardCharsets.UTF_8));
            ais.put("shared", "d/e/big.bin", big);
            ais.put("shared", "d/x", new byte[] {1, 2});
            ais.put("shared", "z y.txt", new byte[0]);
            ais.put("shared", "img[1] {a}|b^.png", "brackets".getBytes(StandardCharsets.UTF_8)); // an unescaped Location
            ais.put("shared", "m/", new byte[0]); // a folder marker, listed under its own prefix
            ais.put("shared", "m/f.txt", "below a marker".getBytes(StandardCharsets.UTF_8));
            // The token file as AIStore's CLI writes it (~/.config/ais/cli/auth.token): JSON.
            Path tokenFile = Files.writeString(dir.resolve("auth.token"), "{\"token\": \"" + TestSecrets.AIS_TOKEN + "\"}");
            Path cfg = dir.resolve("c.yaml");
            Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nentry_attr_ttl: 100\ncache_line_size: 1048576\n"
                    // direct_io: the kernel would otherwise retry a failed read-ahead page and hide the EIO
                    + "direct_io: true\nbackends:\n"
                    + aisBackend("ais", ais, TestSecrets.AIS_TOKEN, "") + aisBackend("badtoken", ais, "wrong", "")
                    + "  - {dir_name: tokfile, backend_type: AIStore, bucket_container_name: shared,\n"
                    + "     AIStore: {endpoint: \"" + ais.endpoint() + "\", authnTokenFile: \"" + tokenFile + "\", provider: s3}}\n");
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                assertEquals(List.of("a.txt", "d", "img[1] {a}|b^.png", "m", "z y.txt"), names(mnt.resolve("ais")));
                assertEquals("brackets", Files.readString(mnt.resolve("ais/img[1] {a}|b^.png")));
                assertEquals(List.of("f.txt"), names(mnt.resolve("ais/m")));
                assertEquals("below a marker", Files.readString(mnt.resolve("ais/m/f.txt")));
                assertEquals("hello ais", Files.readString(mnt.resolve("tokfile/a.txt")), "the JSON token file was not read");
                assertEquals(0, ais.pagesWithoutUuid.get(), "a continued listing page must carry the listing's uuid");
                assertEquals(FakeAIStore.ATIME_MILLIS, Files.getLastModifiedTime(mnt.resolve("ais/a.txt")).toMillis(),
                        "the access time is the file time");
                assertEquals(List.of("e", "x"), names(mnt.resolve("ais/d")));
                assertEquals("hello ais", Files.readString(mnt.resolve("ais/a.txt")));
                assertArrayEquals(big, Files.readAllBytes(mnt.resolve("ais/d/e/big.bin")));
                assertEquals(0, Files.size(mnt.resolve("ais/z y.txt")));
                assertTrue(ais.lists.get() > 0 && ais.redirects.get() > 0 && ais.targetGets.get() >= 3,
                        "proxy lists " + ais.lists + ", redirects " + ais.redirects + ", target GETs " + ais.targetGets);

                ais.put("shared", "fresh.bin", new byte[] {7, 7, 7});
                ais.failNextGets.set(1);
                IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mnt.resolve("ais/fresh.bin")));
                assertTrue(e.getMessage().contains("Input/output error"), e.toString());
                assertArrayEquals(new byte[] {7, 7, 7}, Files.readAllBytes(mnt.resolve("ais/fresh.bin")));

                // A target that stalls mid-body: EIO once the request's deadline (5 s) passes, not a hung reader.
                byte[] stalled = new byte[256 << 10];
                new Random(6).nextBytes(stalled);
                ais.put("shared", "stalled.bin", stalled);
                ais.stallNextGets.set(1);
                Object outcome = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Files.readAllBytes(mnt.resolve("ais/stalled.bin"));
                    } catch (IOException eio) {
                        return eio;
                    }
                }).get(60, TimeUnit.SECONDS); // bounded: a hang fails here
                assertTrue(outcome instanceof IOException eio && eio.getMessage().contains("Input/output error"), outcome.toString());
                assertTrue(msfs.log().contains("no whole answer within 5000 ms"), msfs.log());
                assertArrayEquals(stalled, Files.readAllBytes(mnt.resolve("ais/stalled.bin")));

                assertTrue(ais.smapReads.get() > 0, "the cluster map was never read");

                // A redirect to a host the cluster map does not name gets no token (it answers 401: EACCES).
                List<String> seenByStranger = new java.util.concurrent.CopyOnWriteArrayList<>();
                try (Stranger stranger = new Stranger(seenByStranger)) {
                    ais.put("shared", "elsewhere.txt", new byte[] {1});
                    ais.redirectTo = stranger.url();
                    assertThrows(IOException.class, () -> Files.readAllBytes(mnt.resolve("ais/elsewhere.txt")));
                    ais.redirectTo = null;
                }
                assertTrue(!seenByStranger.isEmpty(), "the redirect was not followed");
                assertEquals(List.of("no token"), seenByStranger.stream().distinct().toList());
                assertTrue(msfs.log().contains("without the token, since the cluster map does not name 127.0.0.2:"), msfs.log());

                assertThrows(AccessDeniedException.class, () -> names(mnt.resolve("badtoken")));
                assertTrue(!msfs.log().contains(TestSecrets.AIS_TOKEN), "the token reached the log");
            }
        }
    }

    @Test
    void manifestGenBackendListsFromS3WhileReadsGoToAIStore(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir); FakeAIStore ais = new FakeAIStore(TestSecrets.AIS_TOKEN, "s3")) {
            Path bucket = s3.bucket("shared");
            Files.createDirectories(bucket.resolve("sub"));
            for (String key : List.of("a.bin", "sub/b.bin")) {
                // Same length on both sides (the listing's size bounds reads), different bytes.
                Files.writeString(bucket.resolve(key), "bytes from S3: " + key);
                ais.put("shared", key, ("bytes from AI: " + key).getBytes(StandardCharsets.UTF_8));
            }
            Path cfg = dir.resolve("c.yaml");
            Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nbackends:\n"
                    + "  - {dir_name: s3, backend_type: S3, bucket_container_name: shared, S3: {endpoint: \"" + s3.endpoint()
                    + "\", access_key_id: " + S3Server.ACCESS_KEY + ", secret_access_key: " + S3Server.SECRET + "}}\n"
                    + aisBackend("ais", ais, TestSecrets.AIS_TOKEN, ", manifest_gen_backend: s3"));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                assertEquals(List.of("a.bin", "sub"), names(mnt.resolve("ais")));
                assertEquals(List.of("b.bin"), names(mnt.resolve("ais/sub")));
                assertEquals("bytes from AI: sub/b.bin", Files.readString(mnt.resolve("ais/sub/b.bin")));
                assertEquals("bytes from S3: a.bin", Files.readString(mnt.resolve("s3/a.bin")));
                assertEquals(0, ais.lists.get(), "AIStore was asked to list");
                assertTrue(ais.targetGets.get() > 0);
            }
        }
    }

    /** A directory whose first key is its folder marker ("m/", listed under "m/" itself) is a directory, not ENOENT. */
    @Test
    void aFolderMarkerProvesItsDirectory() throws Exception {
        try (FakeAIStore ais = new FakeAIStore(TestSecrets.AIS_TOKEN, "s3")) {
            ais.put("shared", "m/", new byte[0]);
            ais.put("shared", "m/f.txt", new byte[] {1});
            ais.put("shared", "only/", new byte[0]); // an empty directory: its marker alone
            try (dev.msfs.backend.aistore.AIStoreBackend b = new dev.msfs.backend.aistore.AIStoreBackend(
                    new dev.msfs.config.TypeSettings.AIStore(ais.endpoint(), false, TestSecrets.AIS_TOKEN, Path.of("/nonexistent"), "s3", 5000, ""),
                    "shared", "", 1000)) {
                assertTrue(b.stat("m").map(i -> i.directory()).orElse(false), "m/ holds a marker and a file");
                assertTrue(b.stat("only").map(i -> i.directory()).orElse(false), "only/ holds its marker alone");
                assertTrue(b.stat("none").isEmpty());
            }
        }
    }

    /**
     * AIStore's version rules through a mount: a cold object reads although its first GET brings
     * a checksum of another type than its HEAD's ETag; a same-type checksum change of a whole
     * object is EIO for the handle opened before it; so is an Ais-Version change for a range.
     */
    @Test
    void versionsAreComparedOnlyWhereAIStoreLetsMsfsTell(@TempDir Path dir) throws Exception {
        try (FakeAIStore ais = new FakeAIStore(TestSecrets.AIS_TOKEN, "s3")) {
            byte[] coldBytes = "cold, then cached".getBytes(StandardCharsets.UTF_8);
            ais.put("shared", "cold.bin", coldBytes);
            ais.cold.add("shared/cold.bin");
            ais.put("shared", "w.bin", "first".getBytes(StandardCharsets.UTF_8));
            byte[] v1 = new byte[3 << 20];
            new Random(7).nextBytes(v1);
            ais.put("shared", "v.bin", v1);
            ais.versions.put("shared/v.bin", "1");
            Path cfg = dir.resolve("c.yaml");
            // A page of 2 entries: the root (3 objects) is not listed whole, so lookups HEAD (typed versions).
            Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nentry_attr_ttl: 60000\ncache_line_size: 1048576\n"
                    + "direct_io: true\nbackends:\n" + aisBackend("ais", ais, TestSecrets.AIS_TOKEN, ""));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                assertArrayEquals(coldBytes, Files.readAllBytes(mnt.resolve("ais/cold.bin")), "a cold object's first read\n" + msfs.log());

                try (var ch = java.nio.channels.FileChannel.open(mnt.resolve("ais/w.bin"))) {
                    ais.put("shared", "w.bin", "other".getBytes(StandardCharsets.UTF_8)); // same size, same checksum type, another value
                    IOException e = assertThrows(IOException.class, () -> ch.read(java.nio.ByteBuffer.allocate(16)), msfs.log());
                    assertTrue(e.getMessage().contains("Input/output error"), e.toString());
                }

                try (var ch = java.nio.channels.FileChannel.open(mnt.resolve("ais/v.bin"))) {
                    java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(1 << 20);
                    ch.read(first, 0);
                    assertArrayEquals(java.util.Arrays.copyOf(v1, 1 << 20), first.array());
                    byte[] v2 = v1.clone();
                    v2[(2 << 20) + 5] ^= 1;
                    ais.put("shared", "v.bin", v2);
                    ais.versions.put("shared/v.bin", "2");
                    IOException e = assertThrows(IOException.class, () -> ch.read(java.nio.ByteBuffer.allocate(1 << 20), 2L << 20),
                            msfs.log());
                    assertTrue(e.getMessage().contains("Input/output error"), e.toString());
                }
                assertTrue(msfs.log().contains("changed since it was opened"), msfs.log());
            }
        }
    }

    /** With no token configured, the CLI's own token file (~/.config/ais/cli/auth.token, JSON) authenticates. */
    @Test
    void theDefaultTokenFileIsTheClisJson(@TempDir Path dir) throws Exception {
        try (FakeAIStore ais = new FakeAIStore(TestSecrets.AIS_TOKEN, "s3")) {
            ais.put("shared", "a.txt", "via the CLI's token".getBytes(StandardCharsets.UTF_8));
            Path home = dir.resolve("home");
            Files.createDirectories(home.resolve(".config/ais/cli"));
            Files.writeString(home.resolve(".config/ais/cli/auth.token"), "{\"token\":\"" + TestSecrets.AIS_TOKEN + "\"}");
            Path cfg = dir.resolve("c.yaml");
            Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nbackends:\n"
                    + "  - {dir_name: ais, backend_type: AIStore, bucket_container_name: shared,\n"
                    + "     AIStore: {endpoint: \"" + ais.endpoint() + "\", provider: s3}}\n");
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(java.util.Map.of("HOME", home.toString()), mnt, "--config", cfg.toString())) {
                assertEquals("via the CLI's token", Files.readString(mnt.resolve("ais/a.txt")), msfs.log());
            }
        }
    }

    /** A server on another loopback address, outside the cluster: it notes whether each request carried a token. */
    private static final class Stranger implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;

        Stranger(List<String> seen) throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.2", 0), 8);
            server.createContext("/", ex -> {
                seen.add(ex.getRequestHeaders().containsKey("Authorization") ? "token" : "no token");
                ex.sendResponseHeaders(401, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.2:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
    /**
     * Writes through a mount of AIStore ({@code readonly: false}): a new file, one of 6 MiB, a
     * rewrite with O_TRUNC (each a PUT that the proxy redirects to the target), mkdir (a folder
     * marker), unlink and rmdir; every byte compared in the fake's store and through the mount.
     */
    @Test
    void writesPutThroughTheProxyRedirectAndDelete(@TempDir Path dir) throws Exception {
        try (FakeAIStore ais = new FakeAIStore(TestSecrets.AIS_TOKEN, "ais")) {
            ais.put("shared", "old.txt", "old".getBytes(StandardCharsets.UTF_8));
            Path cfg = Files.writeString(dir.resolve("c.yaml"), "msfs_version: 1\nallow_other: false\nentry_attr_ttl: 100\n"
                    + "cache_line_size: 1048576\ncache_dir_path: " + dir + "\nbackends:\n"
                    + "  - {dir_name: ais, backend_type: AIStore, bucket_container_name: shared, readonly: false,\n"
                    + "     AIStore: {endpoint: \"" + ais.endpoint() + "\", authnToken: " + TestSecrets.AIS_TOKEN + ", provider: ais}}\n");
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                Path ais0 = mnt.resolve("ais");
                byte[] big = new byte[6 << 20];
                new Random(9).nextBytes(big);
                Files.write(ais0.resolve("big.bin"), big);
                Files.writeString(ais0.resolve("small.txt"), "written through msfs");
                Files.writeString(ais0.resolve("old.txt"), "new");
                assertArrayEquals(big, ais.objects.get("shared/big.bin"));
                assertEquals("written through msfs", new String(ais.objects.get("shared/small.txt"), StandardCharsets.UTF_8));
                assertEquals("new", new String(ais.objects.get("shared/old.txt"), StandardCharsets.UTF_8));
                assertArrayEquals(big, Files.readAllBytes(ais0.resolve("big.bin")));
                assertEquals("new", Files.readString(ais0.resolve("old.txt")));
                assertTrue(ais.puts.get() >= 3 && ais.redirects.get() >= 3, "PUTs " + ais.puts + ", redirects " + ais.redirects);

                Files.createDirectory(ais0.resolve("run"));
                assertTrue(ais.objects.containsKey("shared/run/"), "no folder marker: " + ais.objects.keySet());
                Files.writeString(ais0.resolve("run/step.pt"), "weights");
                assertEquals(List.of("step.pt"), names(ais0.resolve("run")));
                Files.delete(ais0.resolve("run/step.pt"));
                Files.delete(ais0.resolve("run"));
                Files.delete(ais0.resolve("small.txt"));
                assertEquals(List.of("shared/big.bin", "shared/old.txt"), List.copyOf(ais.objects.keySet()));
                assertEquals(List.of("big.bin", "old.txt"), names(ais0));
                assertTrue(!msfs.log().contains("WARN"), msfs.log());
            }
        }
    }
}
