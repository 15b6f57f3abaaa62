package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
