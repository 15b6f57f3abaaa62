package dev.msfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Upload;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The part stream's promises, against an upload whose parts block until the test lets them go:
 * an abort waits for the parts in flight before it drops the upload (a part ending after the
 * abort could be kept); each part gives its budget bytes back when it ends, whether it was sent
 * or not; after a failed part no other is sent and the rest fails; the parts are the file's
 * ranges, the last one short.
 */
class PartStreamTest {
    /** An upload that records calls; parts wait on {@code gate}, and part {@code failing} fails. */
    private static final class Recording implements Upload {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch gate;
        final int failing;

        Recording(CountDownLatch gate, int failing) {
            this.gate = gate;
            this.failing = failing;
        }

        @Override
        public void part(int number, FileChannel source, long offset, long length) throws BackendException {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new BackendException(BackendException.Kind.IO, "interrupted");
            }
            if (number == failing) {
                throw new BackendException(BackendException.Kind.IO, "part " + number + " refused");
            }
            calls.add("part " + number + " " + offset + "+" + length);
        }

        @Override
        public ObjectInfo complete(int parts, long size) {
            calls.add("complete " + parts + " " + size);
            return new ObjectInfo("f", false, size, 0, "etag");
        }

        @Override
        public void abort() {
            calls.add("abort");
        }
    }

    private static AbortRetries retries() {
        return new AbortRetries(v -> { });
    }

    @Test
    void partsAreTheFileRangesAndGiveTheirBudgetBackAsTheyEnd(@TempDir Path dir) throws Exception {
        WriteBudget budget = new WriteBudget(0);
        AtomicLong held = new AtomicLong();
        CountDownLatch gate = new CountDownLatch(1);
        Recording upload = new Recording(gate, 0);
        try (FileChannel spool = FileChannel.open(Files.write(dir.resolve("s"), new byte[25]))) {
            PartStream stream = new PartStream(upload, spool, 10, 2, budget, held);
            assertTrue(budget.take(25));
            held.set(25);
            stream.queueWhole(25, 0);
            assertEquals(25, budget.held(), "no part has ended");
            gate.countDown();
            stream.sendRest(25, 0);
            assertEquals(List.of("part 1 0+10", "part 2 10+10", "part 3 20+5"), upload.calls.stream().sorted().toList());
            assertEquals(0, budget.held());
            assertEquals(0, held.get());
            assertEquals(25, stream.complete(25).size());
            assertEquals("complete 3 25", upload.calls.getLast());
        }
    }

    @Test
    void anAbortWaitsForThePartsInFlight(@TempDir Path dir) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recording upload = new Recording(gate, 0);
        try (FileChannel spool = FileChannel.open(Files.write(dir.resolve("s"), new byte[20]))) {
            PartStream stream = new PartStream(upload, spool, 10, 2, new WriteBudget(0), new AtomicLong());
            stream.queueWhole(20, 0);
            Thread aborting = Thread.ofPlatform().start(() -> stream.abort(retries(), "test", null));
            while (aborting.getState() != Thread.State.WAITING) {
                assertTrue(aborting.isAlive(), "the abort did not wait for the parts in flight");
                Thread.sleep(5);
            }
            assertFalse(upload.calls.contains("abort"));
            gate.countDown();
            aborting.join(30_000);
            assertEquals("abort", upload.calls.getLast(), "the upload was dropped before its parts ended: " + upload.calls);
        }
    }

    @Test
    void afterAFailedPartNoOtherIsSentAndTheRestFails(@TempDir Path dir) throws Exception {
        WriteBudget budget = new WriteBudget(0);
        AtomicLong held = new AtomicLong(30);
        Recording upload = new Recording(new CountDownLatch(0), 1);
        try (FileChannel spool = FileChannel.open(Files.write(dir.resolve("s"), new byte[30]))) {
            PartStream stream = new PartStream(upload, spool, 10, 1, budget, held);
            assertTrue(budget.take(30));
            stream.queueWhole(10, 0);
            while (stream.failure() == null) {
                Thread.sleep(5);
            }
            stream.queueWhole(30, 0);
            BackendException e = assertThrows(BackendException.class, () -> stream.sendRest(30, 0));
            assertSame(stream.failure(), e);
            assertEquals(List.of(), upload.calls, "a part was sent after one failed");
            assertEquals(0, budget.held(), "the parts not sent still gave their bytes back");
        }
    }
}
