package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** S3 buckets on a real S3 server (S3Proxy on 127.0.0.1), mounted by msfs.jar, read through the kernel. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3MountIT {
    private static final long BIG = Long.getLong("msfs.it.bigObject", 1L << 30);
    private static final int MANY = 10_000;

    private Path work;
    private Path data;
    private S3Server server;
    private MsfsProcess msfs;
    private Path mnt;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("msfs-s3-it");
        server = new S3Server(work);
        data = server.bucket("data");
        Files.writeString(data.resolve("small.txt"), "hello from s3\n");
        Files.write(data.resolve("empty"), new byte[0]);
        Files.createDirectories(data.resolve("a/b/c"));
        Files.write(data.resolve("a/b/c/deep.bin"), random(70_000, 1));
        Files.write(data.resolve("a/b/x.bin"), random(5000, 2));
        Files.writeString(data.resolve("with space.txt"), "spaced");
        Files.writeString(data.resolve("ünïcødé ☃.txt"), "utf-8");
        Path many = Files.createDirectories(data.resolve("many"));
        for (int i = 0; i < MANY; i++) {
            Files.write(many.resolve(String.format("f%05d", i)), new byte[] {(byte) i});
        }
        Path big = work.resolve("big.bin");
        writeRandom(big, BIG);
        server.put("data", "big.bin", big);
        mnt = Files.createDirectories(work.resolve("mnt"));
        Path config = work.resolve("s3.yaml");
        String s3 = "{endpoint: \"" + server.endpoint() + "\", region: us-east-1, access_key_id: " + S3Server.ACCESS_KEY
                + ", secret_access_key: %s, request_timeout: 20000}";
        Files.writeString(config, """
                msfs_version: 1
                allow_other: false
                entry_attr_ttl: 1000
                cache_line_size: 8388608
                cache_lines: 64
                backends:
                  - {dir_name: s3, backend_type: S3, bucket_container_name: data, S3: %s}
                  - {dir_name: nested, backend_type: S3, bucket_container_name: data, prefix: a/b/, S3: %s}
                  - {dir_name: wrongkey, backend_type: S3, bucket_container_name: data, S3: %s}
                """.formatted(s3.formatted(S3Server.SECRET), s3.formatted(S3Server.SECRET), s3.formatted("not-the-secret")));
        msfs = MsfsProcess.mount(mnt, "--config", config.toString());
    }

    @AfterAll
    void stop() throws Exception {
        if (msfs != null) {
            String log = msfs.log();
            msfs.close();
            assertFalse(log.contains(S3Server.SECRET), "the secret appeared in msfs's log");
        }
        if (server != null) {
            server.close();
        }
        if (work != null) {
            TestTrees.delete(work);
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random r = new Random(99);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                r.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - done));
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
        }
    }

    @Test
    void prefixesAreDirectoriesAndObjectsAreFiles() throws IOException {
        assertEquals(List.of("a/", "big.bin", "empty", "many/", "small.txt", "with space.txt", "ünïcødé ☃.txt"),
                names(mnt.resolve("s3")));
        assertEquals(List.of("c/", "x.bin"), names(mnt.resolve("s3/a/b")));
        assertEquals("hello from s3\n", Files.readString(mnt.resolve("s3/small.txt")));
        assertEquals(0, Files.readAllBytes(mnt.resolve("s3/empty")).length);
        assertEquals("spaced", Files.readString(mnt.resolve("s3/with space.txt")));
        assertEquals("utf-8", Files.readString(mnt.resolve("s3/ünïcødé ☃.txt")));
        assertArrayEquals(random(70_000, 1), Files.readAllBytes(mnt.resolve("s3/a/b/c/deep.bin")));
        assertEquals(70_000, Files.size(mnt.resolve("s3/a/b/c/deep.bin")));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Files.size(mnt.resolve("s3/a/nope")));
    }

    @Test
    void aPrefixSettingMountsASubtree() throws IOException {
        assertEquals(List.of("c/", "x.bin"), names(mnt.resolve("nested")));
        assertArrayEquals(random(5000, 2), Files.readAllBytes(mnt.resolve("nested/x.bin")));
        assertArrayEquals(random(70_000, 1), Files.readAllBytes(mnt.resolve("nested/c/deep.bin")));
    }

    @Test
    void tenThousandObjectsInOnePrefixListCompletely() throws IOException {
        List<String> names = names(mnt.resolve("s3/many"));
        assertEquals(MANY, names.size());
        assertEquals("f00000", names.getFirst());
        assertEquals("f09999", names.getLast());
        assertArrayEquals(new byte[] {(byte) 4321}, Files.readAllBytes(mnt.resolve("s3/many/f04321")));
    }

    @Test
    void aLargeObjectReadsBackIdentical() throws Exception {
        assertEquals(BIG, Files.size(mnt.resolve("s3/big.bin")));
        assertEquals(LocalMountIT.sha256(work.resolve("big.bin")), LocalMountIT.sha256(mnt.resolve("s3/big.bin")));
    }

    @Test
    void theShippedS3ExampleMountsUnchanged() throws Exception {
        Path m = Files.createDirectories(work.resolve("example-mnt"));
        java.util.Map<String, String> env = java.util.Map.of("AWS_ENDPOINT", server.endpoint(), "S3_BUCKET", "data",
                "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3Server.SECRET);
        try (MsfsProcess p = MsfsProcess.mount(env, m, "--config", "config-examples/s3.yaml")) {
            assertEquals("hello from s3\n", Files.readString(m.resolve("datasets/small.txt")));
            assertEquals(List.of("c/", "x.bin"), names(m.resolve("datasets/a/b")));
            assertFalse(p.log().contains(S3Server.SECRET));
        }
    }

    @Test
    void wrongCredentialsAreEaccesAndTheMountStaysUp() throws IOException {
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> names(mnt.resolve("wrongkey")));
        assertTrue(e.getMessage().contains("wrongkey"), e.toString());
        assertEquals("hello from s3\n", Files.readString(mnt.resolve("s3/small.txt")));
        assertTrue(msfs.process().isAlive());
    }

    @Test
    void aServerStoppedMidReadGivesEioAndReadsRecoverAfterItsRestart(@TempDir Path dir) throws Exception {
        try (S3Server own = new S3Server(dir)) {
            own.bucket("recovery");
            Path file = dir.resolve("obj.bin");
            writeRandom(file, 48L << 20);
            own.put("recovery", "obj.bin", file);
            Path m = Files.createDirectories(dir.resolve("mnt"));
            Path config = dir.resolve("c.yaml");
            Files.writeString(config, """
                    msfs_version: 1
                    allow_other: false
                    cache_line_size: 8388608
                    cache_lines: 16
                    cache_lines_to_prefetch: 0
                    backends:
                      - {dir_name: b, backend_type: S3, bucket_container_name: recovery, S3: {endpoint: "%s", access_key_id: %s,
                         secret_access_key: %s, request_timeout: 3000, retry_base_delay: 10, retry_max_delay: 100}}
                    """.formatted(own.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET));
            byte[] expected = Files.readAllBytes(file);
            try (MsfsProcess p = MsfsProcess.mount(m, "--config", config.toString());
                 FileChannel ch = FileChannel.open(m.resolve("b/obj.bin"), StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                assertEquals(1 << 20, ch.read(buf, 0)); // line 0 fetched and cached
                own.stop();
                CompletableFuture<Throwable> failed = CompletableFuture.supplyAsync(() -> {
                    try {
                        ch.read(ByteBuffer.allocate(1 << 20), 40L << 20);
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                Throwable t = failed.get(60, TimeUnit.SECONDS); // a hang fails here instead of blocking the build
                assertTrue(t != null && t.getMessage().contains("Input/output error"), String.valueOf(t));
                assertEquals(1 << 20, ch.read(buf.clear(), 0)); // cached lines still serve
                own.start();
                ByteBuffer again = ByteBuffer.allocate(1 << 20);
                assertEquals(1 << 20, ch.read(again, 40L << 20));
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, 40 << 20, 41 << 20), again.array());
                assertTrue(p.process().isAlive());
            }
        }
    }
}
