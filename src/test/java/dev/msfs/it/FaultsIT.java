package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between msfs and a real S3 server, through a real mount: while a fault lasts, a read of
 * data not yet cached fails with EIO within the deadline (never hangs, never returns other
 * bytes) and the mount stays up; once it ends, the same read returns the right bytes.
 */
class FaultsIT {
    private static final int LINE = 1 << 20;

    @Test
    void everyFaultIsEioWithinTheDeadlineAndReadsRecover(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir)) {
            s3.bucket("faults");
            byte[] content = seed(s3, dir, "obj.bin", 24 * LINE);
            byte[] small = seed(s3, dir, "small.bin", LINE / 4); // one line: fetched whole, checksum verified
            int upstream = Integer.parseInt(s3.endpoint().substring(s3.endpoint().lastIndexOf(':') + 1));
            try (FaultProxy proxy = new FaultProxy(upstream)) {
                Path cfg = dir.resolve("c.yaml");
                Files.writeString(cfg, """
                        msfs_version: 1
                        allow_other: false
                        direct_io: true
                        cache_line_size: %d
                        cache_lines: 32
                        cache_lines_to_prefetch: 0
                        backends:
                          - {dir_name: f, backend_type: S3, bucket_container_name: faults, S3: {endpoint: "%s",
                             access_key_id: %s, secret_access_key: %s, request_timeout: 3000, retry_base_delay: 10,
                             retry_max_delay: 100}}
                        """.formatted(LINE, proxy.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET));
                Path mnt = Files.createDirectories(dir.resolve("mnt"));
                try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString());
                     FileChannel ch = FileChannel.open(mnt.resolve("f/obj.bin"), StandardOpenOption.READ);
                     FileChannel smallCh = FileChannel.open(mnt.resolve("f/small.bin"), StandardOpenOption.READ)) {
                    int line = 0;
                    for (FaultProxy.Mode fault : new FaultProxy.Mode[] {FaultProxy.Mode.REFUSE, FaultProxy.Mode.STALL,
                            FaultProxy.Mode.SLOW_DOWN, FaultProxy.Mode.RESET_MID_BODY, FaultProxy.Mode.TRUNCATE}) {
                        long offset = (long) (++line) * LINE * 2; // a line never read before
                        eioWhileFaultThenRightBytes(msfs, proxy, fault, ch, offset, content);
                    }
                    eioWhileFaultThenRightBytes(msfs, proxy, FaultProxy.Mode.FLIP_BYTE, smallCh, 0, small);
                }
            }
        }
    }

    /**
     * Every GET of one backend pauses mid-body around its deadline and then sends the rest, so
     * body pieces may still arrive after msfs gave up on the request; meanwhile other objects,
     * from a backend with no fault, are read through a two-line cache that reuses every freed
     * line at once. Not one wrong byte, on either side.
     */
    @Test
    void bodiesThatResumeAfterTheDeadlineNeverReachAnotherObjectsLine(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir)) {
            s3.bucket("faults");
            byte[] slow = seed(s3, dir, "slow.bin", 4 * LINE);
            List<byte[]> fast = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fast.add(seed(s3, dir, "fast" + i + ".bin", 2 * LINE + 1000 * i));
            }
            int upstream = Integer.parseInt(s3.endpoint().substring(s3.endpoint().lastIndexOf(':') + 1));
            try (FaultProxy proxy = new FaultProxy(upstream)) {
                proxy.mode(FaultProxy.Mode.PAUSE_MID_BODY);
                Path cfg = dir.resolve("c.yaml");
                String s3Settings = "access_key_id: %s, secret_access_key: %s, request_timeout: 1000, retry_base_delay: 10, retry_max_delay: 20"
                        .formatted(S3Server.ACCESS_KEY, S3Server.SECRET);
                Files.writeString(cfg, """
                        msfs_version: 1
                        allow_other: false
                        direct_io: true
                        cache_line_size: %d
                        cache_lines: 2
                        cache_lines_to_prefetch: 0
                        backends:
                          - {dir_name: slow, backend_type: S3, bucket_container_name: faults, S3: {endpoint: "%s", %s}}
                          - {dir_name: fast, backend_type: S3, bucket_container_name: faults, S3: {endpoint: "%s", %s}}
                        """.formatted(LINE, proxy.endpoint(), s3Settings, s3.endpoint(), s3Settings));
                Path mnt = Files.createDirectories(dir.resolve("mnt"));
                try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                    AtomicInteger wrong = new AtomicInteger();
                    AtomicInteger slowFailed = new AtomicInteger();
                    AtomicInteger fastReads = new AtomicInteger();
                    AtomicBoolean slowDone = new AtomicBoolean();
                    List<CompletableFuture<Void>> readers = new ArrayList<>();
                    ExecutorService threads = Executors.newFixedThreadPool(3); // the common pool may have one thread
                    readers.add(CompletableFuture.runAsync(() -> {
                        Random r = new Random(1);
                        try (FileChannel ch = FileChannel.open(mnt.resolve("slow/slow.bin"), StandardOpenOption.READ)) {
                            // Until three GETs outlived the deadline (a connection CRT reuses pauses no more), 40 reads at most.
                            for (int i = 0; i < 40 && slowFailed.get() < 3; i++) {
                                proxy.pauseMillis = 800 + r.nextInt(1000); // around the 1 s deadline, and past it
                                long off = (long) r.nextInt(4) * LINE;
                                ByteBuffer buf = ByteBuffer.allocate(LINE);
                                try {
                                    ch.read(buf, off);
                                    if (!Arrays.equals(buf.array(), 0, buf.position(), slow, (int) off, (int) off + buf.position())) {
                                        wrong.incrementAndGet();
                                    }
                                } catch (IOException eio) {
                                    slowFailed.incrementAndGet();
                                }
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        } finally {
                            slowDone.set(true);
                        }
                    }, threads));
                    for (int t = 0; t < 2; t++) {
                        int seed = t;
                        readers.add(CompletableFuture.runAsync(() -> {
                            Random r = new Random(100 + seed);
                            while (!slowDone.get()) {
                                int k = r.nextInt(fast.size());
                                byte[] content = fast.get(k);
                                int off = r.nextInt(content.length - 4096);
                                int len = 1 + r.nextInt(Math.min(LINE, content.length - off));
                                ByteBuffer buf = ByteBuffer.allocate(len);
                                try (FileChannel ch = FileChannel.open(mnt.resolve("fast/fast" + k + ".bin"), StandardOpenOption.READ)) {
                                    int n = ch.read(buf, off);
                                    if (!Arrays.equals(buf.array(), 0, n, content, off, off + n)) {
                                        wrong.incrementAndGet();
                                    }
                                    fastReads.incrementAndGet();
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }
                        }, threads));
                    }
                    try {
                        CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
                    } finally {
                        threads.shutdownNow();
                    }
                    assertEquals(0, wrong.get(), "reads that returned wrong bytes\n" + msfs.log());
                    assertTrue(slowFailed.get() > 0, "no GET outlived its deadline: the test proved nothing");
                    assertTrue(fastReads.get() > 10, "too few reads of the other objects: " + fastReads);
                    assertTrue(msfs.process().isAlive(), "the daemon died");
                    System.out.println("paused bodies: " + slowFailed + " slow reads timed out, " + fastReads + " other reads checked");
                }
            }
        }
    }

    private static byte[] seed(S3Server s3, Path dir, String key, int size) throws Exception {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path file = dir.resolve(key);
        Files.write(file, content);
        s3.put("faults", key, file);
        return content;
    }

    /** Under {@code fault}, reading one line at {@code offset} is EIO within a bound; without it, the right bytes. */
    private static void eioWhileFaultThenRightBytes(MsfsProcess msfs, FaultProxy proxy, FaultProxy.Mode fault,
                                                    FileChannel ch, long offset, byte[] content) throws Exception {
        int length = (int) Math.min(LINE, content.length - offset);
        proxy.mode(fault);
        Object outcome = CompletableFuture.supplyAsync(() -> {
            try {
                ByteBuffer buf = ByteBuffer.allocate(length);
                ch.read(buf, offset);
                return buf.array();
            } catch (IOException e) {
                return e;
            }
        }).get(60, TimeUnit.SECONDS); // bounded: a hang fails here
        assertTrue(outcome instanceof IOException e && e.getMessage().contains("Input/output error"),
                fault + ": expected EIO, got " + (outcome instanceof byte[] b
                        ? (Arrays.equals(b, 0, length, content, (int) offset, (int) offset + length) ? "the right bytes" : "WRONG BYTES")
                        : outcome) + "\n" + msfs.log());
        assertTrue(msfs.process().isAlive(), fault + " brought the daemon down");

        proxy.mode(FaultProxy.Mode.PASS);
        ByteBuffer buf = ByteBuffer.allocate(length);
        assertEquals(length, ch.read(buf, offset), fault + ": no recovery");
        assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) offset + length), buf.array(),
                fault + ": wrong bytes after recovery");
    }
}
