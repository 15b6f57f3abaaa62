package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes through a real mount to S3Proxy (`readonly: false`): new files of awkward sizes and a
 * rewrite with O_TRUNC, read back through the mount and from the store's own files, fsync as a
 * barrier, unlink, mkdir and rmdir, mv through EXDEV, the refusals (a write anywhere but the end,
 * an append, a read-only backend), and a commit the store refuses, which close reports.
 */
class WritesIT {
    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesNewObjectsRewritesAndRemovesThroughTheMount(@TempDir Path work) throws Exception {
        try (S3Server server = new S3Server(work.resolve("s3"))) {
            Path store = server.bucket("ckpt");
            Files.writeString(store.resolve("old.txt"), "the old contents");
            String s3 = "{endpoint: \"" + server.endpoint() + "\", region: us-east-1, access_key_id: " + S3Server.ACCESS_KEY
                    + ", secret_access_key: %s, request_timeout: 20000}";
            Path cfg = Files.writeString(work.resolve("c.yaml"), """
                    msfs_version: 1
                    allow_other: false
                    entry_attr_ttl: 1000
                    cache_line_size: 1048576
                    cache_dir_path: %s
                    backends:
                      - {dir_name: rw, backend_type: S3, bucket_container_name: ckpt, readonly: false, S3: %s}
                      - {dir_name: ro, backend_type: S3, bucket_container_name: ckpt, S3: %s}
                      - {dir_name: badkey, backend_type: S3, bucket_container_name: ckpt, readonly: false, S3: %s}
                      - {dir_name: nobucket, backend_type: S3, bucket_container_name: missing, readonly: false, S3: %s}
                    """.formatted(work.resolve("spool"), s3.formatted(S3Server.SECRET), s3.formatted(S3Server.SECRET),
                    s3.formatted("not-the-secret"), s3.formatted(S3Server.SECRET)));
            Files.createDirectories(work.resolve("spool"));
            Path mnt = Files.createDirectories(work.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                Path rw = mnt.resolve("rw");
                int[] sizes = {0, 1, 1 << 20, (8 << 20) + 1, 20 << 20};
                for (int size : sizes) {
                    byte[] want = random(size, size);
                    Files.write(rw.resolve("f" + size), want);
                    assertArrayEquals(want, Files.readAllBytes(store.resolve("f" + size)), "the store's bytes of f" + size);
                    assertArrayEquals(want, Files.readAllBytes(rw.resolve("f" + size)), "the mount's bytes of f" + size);
                    assertEquals(size, Files.size(rw.resolve("f" + size)));
                }

                // O_TRUNC over an object: the new bytes, through a new open, never the old ones.
                assertEquals("the old contents", Files.readString(rw.resolve("old.txt")));
                Files.writeString(rw.resolve("old.txt"), "new");
                assertEquals("new", Files.readString(store.resolve("old.txt")));
                assertEquals("new", Files.readString(rw.resolve("old.txt")));
                assertEquals("new", Files.readString(mnt.resolve("ro/old.txt")), "the other backend sees it after its TTL too");

                // fsync is a barrier: the bytes are in the store before close.
                try (FileChannel ch = FileChannel.open(rw.resolve("synced"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap("durable".getBytes(StandardCharsets.UTF_8)));
                    ch.force(true);
                    assertEquals("durable", Files.readString(store.resolve("synced")));
                    ch.write(ByteBuffer.wrap(" and more".getBytes(StandardCharsets.UTF_8)));
                }
                assertEquals("durable and more", Files.readString(store.resolve("synced")));

                // A file being written reads back what was written: through a handle opened meanwhile, and the
                // writer's own (O_RDWR); once the writer is released, the handle reads what the store has.
                try (FileChannel writer = FileChannel.open(rw.resolve("growing"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    writer.write(ByteBuffer.wrap("first part".getBytes(StandardCharsets.UTF_8)));
                    assertEquals("first part", Files.readString(rw.resolve("growing")));
                    ByteBuffer own = ByteBuffer.allocate(5);
                    assertEquals(5, writer.read(own, 0));
                    assertEquals("first", new String(own.array(), StandardCharsets.UTF_8));
                    try (FileChannel reader = FileChannel.open(rw.resolve("growing"), StandardOpenOption.READ)) {
                        writer.write(ByteBuffer.wrap(", then more".getBytes(StandardCharsets.UTF_8)));
                        writer.close();
                        ByteBuffer all = ByteBuffer.allocate(64);
                        int n = reader.read(all, 0);
                        assertEquals("first part, then more", new String(all.array(), 0, n, StandardCharsets.UTF_8));
                    }
                }
                assertEquals("first part, then more", Files.readString(store.resolve("growing")));

                // Writes at or past the end: a gap reads as zeros; a write before the end is EINVAL, and the rest is kept.
                try (RandomAccessFile f = new RandomAccessFile(rw.resolve("seq").toFile(), "rw")) {
                    f.write(new byte[] {1, 2, 3});
                    f.seek(8);
                    f.write(9);
                    assertEquals(9, Files.size(rw.resolve("seq")), "the size while written is the writer's");
                    f.seek(4);
                    IOException e = assertThrows(IOException.class, () -> f.write(1));
                    assertTrue(e.getMessage().contains("Invalid argument"), e.toString());
                }
                assertArrayEquals(new byte[] {1, 2, 3, 0, 0, 0, 0, 0, 9}, Files.readAllBytes(store.resolve("seq")));
                // An object is written whole: opening one to append is refused.
                IOException append = assertThrows(IOException.class,
                        () -> Files.writeString(rw.resolve("seq"), "x", StandardOpenOption.APPEND));
                assertTrue(append.getMessage().contains("Operation not supported"), append.toString());

                // mkdir makes a folder marker; rmdir refuses a directory with something in it.
                Files.createDirectory(rw.resolve("run1"));
                assertTrue(Files.isDirectory(rw.resolve("run1")));
                Files.writeString(rw.resolve("run1/step-100.pt"), "weights");
                assertEquals("weights", Files.readString(store.resolve("run1/step-100.pt")));
                assertThrows(java.nio.file.DirectoryNotEmptyException.class, () -> Files.delete(rw.resolve("run1")));
                // mv: rename is EXDEV, so it copies and removes.
                Files.move(rw.resolve("run1/step-100.pt"), rw.resolve("run1/final.pt"));
                assertEquals(List.of("final.pt"), names(rw.resolve("run1")));
                Files.delete(rw.resolve("run1/final.pt"));
                assertFalse(Files.exists(store.resolve("run1/final.pt")));
                Files.delete(rw.resolve("run1"));
                assertFalse(Files.exists(rw.resolve("run1")));

                // touch works (times are accepted and ignored); truncating to another size is not taken.
                new ProcessBuilder("touch", rw.resolve("touched").toString()).inheritIO().start().waitFor();
                assertEquals(0, Files.size(store.resolve("touched")));
                Process truncate = new ProcessBuilder("truncate", "-s", "5", rw.resolve("touched").toString()).start();
                assertTrue(truncate.waitFor() != 0, "a truncate to another size was taken");

                // A read-only backend stays read-only; wrong credentials are EACCES; a commit the store refuses
                // (its bucket is gone) fails close with EIO, and leaves nothing.
                IOException ro = assertThrows(IOException.class, () -> Files.writeString(mnt.resolve("ro/new.txt"), "no"));
                assertTrue(ro.getMessage().contains("Read-only file system"), ro.toString());
                assertThrows(java.nio.file.AccessDeniedException.class, () -> Files.writeString(mnt.resolve("badkey/new.txt"), "no"));
                IOException failed = assertThrows(IOException.class, () -> Files.writeString(mnt.resolve("nobucket/new.txt"), "no"));
                assertTrue(failed.getMessage().contains("Input/output error"), failed.toString());
                assertFalse(Files.exists(store.resolve("new.txt")));
                assertTrue(msfs.log().contains("backend nobucket: write new.txt failed: PUT missing/new.txt: HTTP 404 NoSuchBucket"),
                        msfs.log());

                // A path removed while it is written stays removed: the writer's close stores nothing.
                try (FileChannel ch = FileChannel.open(rw.resolve("doomed"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[] {1}));
                    ch.force(true);
                    Files.delete(rw.resolve("doomed"));
                    ch.write(ByteBuffer.wrap(new byte[] {2}));
                }
                assertFalse(Files.exists(store.resolve("doomed")), "a commit brought a removed file back");
                // The same before any commit: the file is there to remove (the temp-file pattern), and stays removed.
                try (FileChannel ch = FileChannel.open(rw.resolve("temp"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[] {1}));
                    Files.delete(rw.resolve("temp"));
                    ch.write(ByteBuffer.wrap(new byte[] {2}));
                }
                assertFalse(Files.exists(store.resolve("temp")), "a file removed before its first commit came back");
                assertFalse(Files.exists(rw.resolve("temp")));

                // Removing a file.
                Files.delete(rw.resolve("f1"));
                assertFalse(Files.exists(store.resolve("f1")));
                assertFalse(Files.exists(rw.resolve("f1")));
                assertTrue(msfs.process().isAlive());
            }
            try (Stream<Path> left = Files.list(work.resolve("spool"))) {
                assertEquals(List.of(), left.toList(), "the mount's spool folder was left behind");
            }
        }
    }

    /**
     * Eight writers at once, each file's bytes checked in the store; then SIGTERM while a file is
     * open for writing: its object is either whole or absent (one PutObject is atomic), here
     * absent, since nothing committed it. The spool folder that stop left is removed by the next
     * mount, whose clean exit leaves nothing.
     */
    @Test
    void concurrentWritersAndAnUnmountDuringAWrite(@TempDir Path work) throws Exception {
        try (S3Server server = new S3Server(work.resolve("s3"))) {
            Path store = server.bucket("ckpt");
            Files.createDirectories(work.resolve("spool"));
            Path cfg = Files.writeString(work.resolve("c.yaml"), """
                    msfs_version: 1
                    allow_other: false
                    cache_dir_path: %s
                    backends:
                      - {dir_name: rw, backend_type: S3, bucket_container_name: ckpt, readonly: false,
                         S3: {endpoint: "%s", region: us-east-1, access_key_id: %s, secret_access_key: %s}}
                    """.formatted(work.resolve("spool"), server.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET));
            Path mnt = Files.createDirectories(work.resolve("mnt"));
            MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString());
            try {
                List<java.util.concurrent.Future<byte[]>> writers = new java.util.ArrayList<>();
                try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                    for (int w = 0; w < 8; w++) {
                        int id = w;
                        writers.add(pool.submit(() -> {
                            byte[] content = random((3 << 20) + id * 4099, 100 + id);
                            try (var out = Files.newOutputStream(mnt.resolve("rw/part-" + id))) {
                                for (int at = 0; at < content.length; at += 65536) {
                                    out.write(content, at, Math.min(65536, content.length - at));
                                }
                            }
                            return content;
                        }));
                    }
                }
                for (int w = 0; w < 8; w++) {
                    assertArrayEquals(writers.get(w).get(), Files.readAllBytes(store.resolve("part-" + w)), "writer " + w);
                }
                try (FileChannel open = FileChannel.open(mnt.resolve("rw/unfinished"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    open.write(ByteBuffer.wrap(random(1 << 20, 7)));
                    msfs.terminate(java.time.Duration.ofSeconds(30)); // with a file open the stop is not clean: status 143
                } catch (IOException closedUnderTheMount) {
                    // the close of a file whose mount is gone may fail; what matters is the store
                }
                assertFalse(Files.exists(store.resolve("unfinished")), "a half-written file became an object");
            } finally {
                msfs.close();
            }
            try (MsfsProcess again = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                assertTrue(again.log().contains("msfs-writes-") && again.log().contains("left by an msfs that did not exit cleanly"),
                        again.log());
                assertEquals(0, again.terminate(java.time.Duration.ofSeconds(30)), again.log());
            }
            try (Stream<Path> left = Files.list(work.resolve("spool"))) {
                assertEquals(List.of(), left.toList(), "a folder was left behind");
            }
        }
    }
    private static final int MIB = 1 << 20;
    private static final int PART = 5 * MIB;
    private static final long BUDGET = 20L * MIB;

    /**
     * Files from the threshold on stream in parts while they are written, through a real mount:
     * files of 0 B, 1 B, one part and one part plus one byte, then 300 MiB, of which the store holds
     * parts before the writer closes, with write_deferral_max_bytes far below it; four writers at
     * once whose total is 8 times the budget. Every byte is compared in the store's own files and
     * through the mount, and the budget's peak (from /metrics) stayed within it. Then the store
     * fails in the middle of an upload (503 to every request): a write or the fsync is EIO, no
     * object appears, and once the store is back the upload is aborted (ListMultipartUploads is
     * empty). Last, SIGTERM during a streamed write: aborted, nothing visible, nothing left open.
     */
    @Test
    void largeFilesStreamInPartsWithinTheWriteBudget(@TempDir Path work) throws Exception {
        try (S3Server server = new S3Server(work.resolve("s3"))) {
            Path store = server.bucket("ckpt");
            int upstream = Integer.parseInt(server.endpoint().substring(server.endpoint().lastIndexOf(':') + 1));
            int port = S3Store.freePort();
            try (FaultProxy proxy = new FaultProxy(upstream);
                 dev.msfs.backend.s3.S3Connection admin = server.connect("ckpt")) {
                Files.createDirectories(work.resolve("spool"));
                Path cfg = Files.writeString(work.resolve("c.yaml"), """
                        msfs_version: 1
                        allow_other: false
                        entry_attr_ttl: 500
                        cache_line_size: %d
                        cache_dir_path: %s
                        write_deferral_max_bytes: %d
                        endpoint: http://127.0.0.1:%d
                        backends:
                          - {dir_name: rw, backend_type: S3, bucket_container_name: ckpt, readonly: false,
                             multipart_upload_threshold_bytes: %d, upload_part_cache_lines: 5, upload_part_concurrency: 2,
                             S3: {endpoint: "%s", region: us-east-1, access_key_id: %s, secret_access_key: %s,
                                  request_timeout: 10000, retry_base_delay: 10, retry_max_delay: 100}}
                        """.formatted(MIB, work.resolve("spool"), BUDGET, port, PART, proxy.endpoint(), S3Server.ACCESS_KEY,
                        S3Server.SECRET));
                Path mnt = Files.createDirectories(work.resolve("mnt"));
                MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString());
                try {
                    Path rw = mnt.resolve("rw");
                    for (int size : new int[] {0, 1, PART, PART + 1}) {
                        byte[] want = random(size, size);
                        Files.write(rw.resolve("s" + size), want);
                        assertArrayEquals(want, Files.readAllBytes(store.resolve("s" + size)), "the store's bytes of s" + size);
                        assertArrayEquals(want, Files.readAllBytes(rw.resolve("s" + size)), "the mount's bytes of s" + size);
                    }

                    // 300 MiB: parts are in the store while the writer still writes.
                    java.security.MessageDigest wrote = java.security.MessageDigest.getInstance("SHA-256");
                    try (FileChannel out = FileChannel.open(rw.resolve("big"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        for (int i = 0; i < 300; i++) {
                            byte[] chunk = random(MIB, 1000 + i);
                            wrote.update(chunk);
                            out.write(ByteBuffer.wrap(chunk));
                            if (i == 150) {
                                assertTrue(S3Store.partsOf(admin, "big") >= 2, "no part of big in the store halfway through");
                                assertFalse(Files.exists(store.resolve("big")), "big is visible before its commit");
                            }
                        }
                    }
                    byte[] want = wrote.digest();
                    assertArrayEquals(want, sha256(store.resolve("big")), "the store's bytes of big");
                    assertArrayEquals(want, sha256(rw.resolve("big")), "the mount's bytes of big");

                    // Four writers at once, 40 MiB each: 160 MiB through a 20 MiB budget.
                    List<java.util.concurrent.Future<byte[]>> writers = new java.util.ArrayList<>();
                    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                        for (int w = 0; w < 4; w++) {
                            int id = w;
                            writers.add(pool.submit(() -> {
                                byte[] content = random(40 * MIB + id, 200 + id);
                                try (var o = Files.newOutputStream(rw.resolve("w" + id))) {
                                    for (int at = 0; at < content.length; at += MIB) {
                                        o.write(content, at, Math.min(MIB, content.length - at));
                                    }
                                }
                                return content;
                            }));
                        }
                    }
                    for (int w = 0; w < 4; w++) {
                        assertArrayEquals(writers.get(w).get(), Files.readAllBytes(store.resolve("w" + w)), "writer " + w);
                    }
                    java.util.Map<String, Double> metrics = MetricsIT.parse(MetricsIT.get(port, "/metrics").body());
                    double peak = metrics.get("msfs_write_buffered_bytes_peak");
                    // Past the budget only while no upload is in flight: then each writer holds less than a part and a write.
                    assertTrue(peak > 0 && peak <= Math.max(BUDGET, 4L * (PART + MIB)), "peak " + peak);
                    assertEquals(0.0, metrics.get("msfs_write_buffered_bytes"));
                    assertEquals(List.of(), S3Store.openUploads(admin, ""));

                    // The store fails mid-upload: EIO, no object, and the upload aborted once the store is back.
                    IOException failed = assertThrows(IOException.class, () -> {
                        try (FileChannel out = FileChannel.open(rw.resolve("failing"), StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
                            for (int i = 0; i < 60; i++) {
                                if (i == 12) {
                                    proxy.mode(FaultProxy.Mode.SLOW_DOWN);
                                }
                                out.write(ByteBuffer.wrap(random(MIB, i)));
                            }
                            out.force(true);
                        }
                    });
                    assertTrue(failed.getMessage().contains("Input/output error"), failed.toString());
                    proxy.mode(FaultProxy.Mode.PASS);
                    assertFalse(Files.exists(store.resolve("failing")), "a failed upload became an object");
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    while (!S3Store.openUploads(admin, "").isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                    assertEquals(List.of(), S3Store.openUploads(admin, ""), msfs.log());
                    assertTrue(msfs.log().contains("write failing failed"), msfs.log());

                    // SIGTERM while a streamed file is open: the upload is aborted, nothing is visible.
                    try (FileChannel out = FileChannel.open(rw.resolve("cut"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        for (int i = 0; i < 16; i++) {
                            out.write(ByteBuffer.wrap(random(MIB, i)));
                        }
                        long partsBy = System.nanoTime() + 30_000_000_000L; // three parts are sent, and may be still in flight
                        while (S3Store.partsOf(admin, "cut") == 0 && System.nanoTime() < partsBy) {
                            Thread.sleep(100);
                        }
                        assertTrue(S3Store.partsOf(admin, "cut") >= 1, "no part of cut in the store");
                        msfs.terminate(java.time.Duration.ofSeconds(30));
                    } catch (IOException closedUnderTheMount) {
                        // the close of a file whose mount is gone may fail; what matters is the store
                    }
                    assertFalse(Files.exists(store.resolve("cut")), "a half-written file became an object");
                    assertEquals(List.of(), S3Store.openUploads(admin, ""), msfs.log());
                } finally {
                    msfs.close();
                }
            }
        }
    }

    private static byte[] sha256(Path file) throws Exception {
        java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[MIB];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return d.digest();
    }
}
