package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
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
            Path object = dir.resolve("obj.bin");
            byte[] content = new byte[24 * LINE];
            new Random(11).nextBytes(content);
            try (OutputStream out = Files.newOutputStream(object)) {
                out.write(content);
            }
            s3.put("faults", "obj.bin", object);
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
                     FileChannel ch = FileChannel.open(mnt.resolve("f/obj.bin"), StandardOpenOption.READ)) {
                    int line = 0;
                    for (FaultProxy.Mode fault : new FaultProxy.Mode[] {FaultProxy.Mode.REFUSE, FaultProxy.Mode.STALL,
                            FaultProxy.Mode.SLOW_DOWN, FaultProxy.Mode.RESET_MID_BODY, FaultProxy.Mode.TRUNCATE}) {
                        long offset = (long) (++line) * LINE * 2; // a line never read before
                        proxy.mode(fault);
                        Throwable failure = CompletableFuture.supplyAsync(() -> {
                            try {
                                ch.read(ByteBuffer.allocate(LINE), offset);
                                return null;
                            } catch (IOException e) {
                                return e;
                            }
                        }).get(60, TimeUnit.SECONDS); // bounded: a hang fails here
                        assertTrue(failure != null && failure.getMessage().contains("Input/output error"),
                                fault + ": expected EIO, got " + failure + "\n" + msfs.log());
                        assertTrue(msfs.process().isAlive(), fault + " brought the daemon down");

                        proxy.mode(FaultProxy.Mode.PASS);
                        ByteBuffer buf = ByteBuffer.allocate(LINE);
                        assertEquals(LINE, ch.read(buf, offset), fault + ": no recovery");
                        assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) offset + LINE), buf.array(),
                                fault + ": wrong bytes after recovery");
                    }
                }
            }
        }
    }
}
