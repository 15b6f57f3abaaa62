package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel's page cache and object versions, through a real mount of a real S3 server: with
 * kernel_cache an unchanged object's re-reads never reach msfs, and in every mode an object
 * overwritten at the same size is read whole in its new version by handles opened after the
 * change, while a handle opened before it keeps reading its own version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelCacheIT {
    private static final int SIZE = 3 << 20; // three 1 MiB cache lines

    private Path work;
    private S3Server server;
    private int object;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("msfs-kcache-it");
        server = new S3Server(work);
        server.createBucket("data");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (work != null) {
            TestTrees.delete(work);
        }
    }

    private MsfsProcess mount(Path mnt, int port, boolean kernelCache) throws Exception {
        Path config = Files.writeString(work.resolve("kc-" + kernelCache + ".yaml"), """
                msfs_version: 1
                allow_other: false
                entry_attr_ttl: 0
                kernel_cache: %s
                cache_line_size: 1048576
                cache_lines: 16
                cache_lines_to_prefetch: 2
                endpoint: "http://127.0.0.1:%d"
                backends:
                  - {dir_name: s3, backend_type: S3, bucket_container_name: data,
                     S3: {endpoint: "%s", access_key_id: %s, secret_access_key: %s}}
                """.formatted(kernelCache, port, server.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET));
        return MsfsProcess.mount(mnt, "--config", config.toString());
    }

    private byte[] put(String key, long seed) throws Exception {
        byte[] bytes = new byte[SIZE];
        new Random(seed).nextBytes(bytes);
        Path file = Files.write(work.resolve("upload"), bytes);
        server.put("data", key, file);
        return bytes;
    }

    private static byte[] readAll(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(SIZE + 1);
        long at = 0;
        for (int n; (n = ch.read(buf, at)) > 0; ) {
            at += n;
        }
        assertEquals(SIZE, at);
        return java.util.Arrays.copyOf(buf.array(), SIZE);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double bytesServed(int port) throws Exception {
        return MetricsIT.parse(MetricsIT.get(port, "/metrics").body()).get("msfs_bytes_served_total");
    }

    @ParameterizedTest(name = "kernel_cache: {0}")
    @ValueSource(booleans = {true, false})
    void anObjectOverwrittenAtTheSameSizeIsNeverReadMixed(boolean kernelCache) throws Exception {
        String key = "obj" + object++;
        byte[] v1 = put(key, 1);
        Path mnt = Files.createDirectories(work.resolve("mnt-" + kernelCache));
        int port = freePort();
        try (MsfsProcess msfs = mount(mnt, port, kernelCache)) {
            Path file = mnt.resolve("s3/" + key);
            assertArrayEquals(v1, Files.readAllBytes(file));
            double served = bytesServed(port);
            assertArrayEquals(v1, Files.readAllBytes(file));
            if (kernelCache) {
                // The kernel may read a page or two again (its read-ahead marks); without keep_cache it reads all.
                assertTrue(bytesServed(port) - served < SIZE / 2, "an unchanged object's second open reads the kernel's pages");
            } else {
                assertTrue(bytesServed(port) >= served + SIZE, "without kernel_cache each open reads through msfs");
            }

            byte[] v2 = put(key, 2); // same size, other bytes: only the version tells
            assertArrayEquals(v2, Files.readAllBytes(file), "the pages of the old version were dropped at open");
            byte[] v3;
            try (FileChannel before = FileChannel.open(file)) {
                assertArrayEquals(v2, readAll(before)); // its pages are now in the kernel
                v3 = put(key, 3);
                try (FileChannel after = FileChannel.open(file)) {
                    assertArrayEquals(v3, readAll(after), "a handle opened after the change reads the new version");
                    assertArrayEquals(v2, readAll(before), "a handle opened before it keeps its own version");
                    assertArrayEquals(v3, readAll(after));
                }
                assertArrayEquals(v3, Files.readAllBytes(file));
                assertArrayEquals(v2, readAll(before));
            }
            assertArrayEquals(v3, Files.readAllBytes(file), "once the old handle is gone, its pages are dropped");
            assertArrayEquals(v3, Files.readAllBytes(file));
            assertFalse(msfs.log().contains("Exception"), msfs.log());
        }
    }
}
