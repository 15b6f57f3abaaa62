package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.PseudoBackend;
import dev.msfs.fuse.MountPoints;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping a real mount: the demo, signals during reads, and a daemon that was killed. */
class LifecycleIT {
    @Test
    void theDemoServesVerifiableBytes(@TempDir Path mnt) throws Exception {
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--demo")) {
            Path f = mnt.resolve("pseudo/dir_00000001/file_00000002");
            byte[] all = Files.readAllBytes(f);
            assertEquals(1 << 20, all.length);
            for (int off = 0; off < all.length; off += 4093) {
                assertEquals(PseudoBackend.contentByte("dir_00000001/file_00000002", off), all[off], "offset " + off);
            }
            assertTrue(msfs.log().contains("mounted 1 backend(s)"));
        }
    }

    /** Under nohup, SIGHUP stays ignored, so kill -HUP cannot reload: the log says so, and gives the pid. */
    @Test
    void aMountUnderNohupWarnsThatSighupCannotReload(@TempDir Path work) throws Exception {
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path config = Files.writeString(work.resolve("c.yaml"), "msfs_version: 1\nallow_other: false\nbackends:\n"
                + "  - {dir_name: p, backend_type: PSEUDO}\n");
        try (MsfsProcess msfs = MsfsProcess.mountUnder(List.of("nohup"), java.util.Map.of(), mnt, "--config", config.toString())) {
            String log = msfs.log();
            assertTrue(log.contains("SIGHUP is ignored by this process"), log);
            assertTrue(log.contains("(pid " + msfs.process().pid() + ")"), log);
        }
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", config.toString())) {
            assertFalse(msfs.log().contains("SIGHUP is ignored"), msfs.log());
        }
    }

    @Test
    void sigtermDuringReadsUnmountsAndExits(@TempDir Path work) throws Exception {
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path config = work.resolve("pseudo.yaml");
        Files.writeString(config, """
                msfs_version: 1
                allow_other: false
                backends:
                  - dir_name: p
                    backend_type: PSEUDO
                    PSEUDO: {files_at_depth_0: 4, file_size: 67108864}
                """);
        MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", config.toString());
        try (msfs) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong bytes = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path f = mnt.resolve("p/file_0000000" + i);
                readers.add(Thread.ofPlatform().start(() -> readUntilFailure(f, stop, bytes)));
            }
            while (bytes.get() < (16 << 20)) {
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            int status = msfs.terminate(Duration.ofSeconds(30));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            stop.set(true);
            for (Thread t : readers) {
                t.join(30_000);
                assertFalse(t.isAlive(), "a reader hangs after the daemon exited");
            }
            System.out.println("SIGTERM with 4 readers in flight: exited in " + millis + " ms with status " + status);
            assertEquals(0, status, "msfs did not exit cleanly after SIGTERM:\n" + msfs.log());
            assertFalse(MountPoints.isMounted(mnt), "mount left behind");
            assertFalse(MountPoints.isStale(mnt));
            assertTrue(msfs.log().contains("unmounted"), msfs.log());
        }
    }

    @Test
    void aMountLeftByAKilledDaemonIsRecoveredByTheNextMount(@TempDir Path mnt) throws Exception {
        try (MsfsProcess first = MsfsProcess.mount(mnt, "--demo")) {
            first.process().destroyForcibly().waitFor();
            assertTrue(MountPoints.isStale(mnt), "expected ENOTCONN after SIGKILL");
            try (MsfsProcess second = MsfsProcess.mount(mnt, "--demo")) {
                assertEquals(1 << 20, Files.size(mnt.resolve("pseudo/file_00000000")));
                assertTrue(second.log().contains("stale FUSE mount"), second.log());
            }
        }
        assertFalse(MountPoints.isMounted(mnt));
    }

    private static void readUntilFailure(Path f, AtomicBoolean stop, AtomicLong bytes) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 17);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long pos = 0;
            while (!stop.get()) {
                buf.clear();
                int n = ch.read(buf, pos);
                pos = n <= 0 ? 0 : pos + n;
                bytes.addAndGet(Math.max(n, 0));
            }
        } catch (java.io.IOException expected) {
            // the mount went away under the reader: ENOTCONN/EIO is the expected end
        }
    }
}
