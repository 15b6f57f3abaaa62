package dev.msfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-object file's descriptor is never closed under a reader (else its number could name another file). */
class ObjectFilesTest {
    @Test
    void aRetiredFileClosesWhenItsLastReaderLeaves(@TempDir Path dir) throws Exception {
        ObjectFiles.ObjectFile f = new ObjectFiles.ObjectFile(dir.resolve("o0"));
        f.fd();
        assertTrue(f.enter());
        f.retire();
        f.retire(); // idempotent
        assertFalse(f.enter(), "a retired file let a reader in");
        assertTrue(Files.exists(f.path), "closed and deleted under a reader");
        f.exit();
        assertFalse(Files.exists(f.path), "the last reader out did not close it");
    }

    /** Readers pread through the descriptor while it is retired: none ever finds it closed (EBADF). */
    @Test
    void noReaderSeesItsDescriptorClosed(@TempDir Path dir) throws Exception {
        for (int round = 0; round < 20; round++) {
            ObjectFiles.ObjectFile f = new ObjectFiles.ObjectFile(dir.resolve("o" + round));
            Libc.fallocate(f.fd(), 0, 4096);
            AtomicLong reads = new AtomicLong();
            AtomicLong closedUnderUs = new AtomicLong();
            CountDownLatch started = new CountDownLatch(4);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment buf = arena.allocate(64);
                        while (f.enter()) {
                            try {
                                Libc.pread(f.fd(), buf, 0);
                                reads.incrementAndGet();
                            } catch (ErrnoException e) {
                                closedUnderUs.incrementAndGet();
                            } finally {
                                f.exit();
                            }
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(2);
            f.retire();
            for (Thread t : readers) {
                t.join();
            }
            assertEquals(0, closedUnderUs.get(), "a descriptor was closed under a pread");
            assertTrue(reads.get() > 0);
            assertFalse(Files.exists(f.path));
        }
    }
}
