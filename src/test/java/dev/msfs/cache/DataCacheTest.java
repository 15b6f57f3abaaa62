package dev.msfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.Arrivals;
import dev.msfs.backend.BackendException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DataCacheTest {
    private static final long LINE = 64 << 10;

    /** The three places lines live: the tests of fetch failures and races run against each. */
    enum Storage {
        MEMORY, MAPPED_FILE, PER_OBJECT_FILE;

        DataCache cache(Path dir, int lines, LineFetcher fetcher) throws java.io.IOException {
            return switch (this) {
                case MEMORY -> new DataCache(LINE, lines, fetcher);
                case MAPPED_FILE -> DataCache.create(LINE, lines, new CacheStorage.MappedFile(dir), fetcher);
                case PER_OBJECT_FILE -> DataCache.create(LINE, lines, new CacheStorage.PerObjectFile(dir), fetcher);
            };
        }
    }

    /** Object content: a function of (path, offset), so every byte read can be checked. */
    static byte expected(ObjectRef o, long offset) {
        long z = (o.path().hashCode() * 0x9E3779B97F4A7C15L) + offset * 0xBF58476D1CE4E5B9L;
        return (byte) (z ^ (z >>> 29) ^ (z >>> 47));
    }

    private static void await(CountDownLatch latch) throws BackendException {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new BackendException(BackendException.Kind.IO, "interrupted");
        }
    }

    /** A fetcher that serves {@link #expected} content and counts fetches. */
    static class Source implements LineFetcher {
        final AtomicInteger fetches = new AtomicInteger();

        @Override
        public long fetch(ObjectRef o, long offset, MemorySegment dst) throws BackendException {
            fetches.incrementAndGet();
            long n = Math.min(dst.byteSize(), o.size() - offset);
            for (long i = 0; i < n; i++) {
                dst.set(ValueLayout.JAVA_BYTE, i, expected(o, offset + i));
            }
            return n;
        }
    }

    private static ObjectRef object(String name, long size) {
        return new ObjectRef(0, name, "e1", size, 0);
    }

    private static void assertContent(ObjectRef o, long offset, MemorySegment got, long n) {
        for (long i = 0; i < n; i++) {
            if (got.get(ValueLayout.JAVA_BYTE, i) != expected(o, offset + i)) {
                throw new AssertionError(o.path() + ": wrong byte at " + (offset + i));
            }
        }
    }

    @Test
    void readsSpanLinesAndStopAtTheEndOfTheObject() throws Exception {
        Source src = new Source();
        ObjectRef o = object("o", 3 * LINE + 100);
        try (DataCache cache = new DataCache(LINE, 8, src);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(2 * LINE);
            assertEquals(2 * LINE, cache.read(o, LINE / 2, dst));
            assertContent(o, LINE / 2, dst, 2 * LINE);
            assertEquals(3, src.fetches.get());
            assertEquals(100 + LINE / 2, cache.read(o, 5 * LINE / 2, dst));
            assertContent(o, 5 * LINE / 2, dst, 100 + LINE / 2);
            assertEquals(0, cache.read(o, o.size(), dst));
            assertEquals(4, src.fetches.get());
            CacheStats s = cache.stats();
            assertEquals(4, s.misses());
            assertEquals(1, s.hits());
        }
    }

    @Test
    void drainDropsEveryServableLineButNotOneBeingFetched() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Source good = new Source();
        ObjectRef slow = object("slow", LINE);
        LineFetcher fetcher = (o, off, dst) -> {
            if (o.equals(slow)) {
                await(release);
            }
            return good.fetch(o, off, dst);
        };
        ObjectRef o = object("o", 3 * LINE);
        try (DataCache cache = new DataCache(LINE, 8, fetcher);
             Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(3 * LINE);
            assertEquals(3 * LINE, cache.read(o, 0, dst));
            CompletableFuture<Long> pending = readAsync(cache, slow, 0, arena.allocate(LINE));
            while (cache.residentLines() < 4) { // the slow line is claimed and being fetched
                Thread.sleep(1);
            }
            assertEquals(3, cache.drain(), "the three servable lines; not the one being fetched");
            assertEquals(1, cache.residentLines());
            release.countDown();
            assertEquals(LINE, pending.get(30, TimeUnit.SECONDS));
            assertEquals(3 * LINE, cache.read(o, 0, dst)); // fetched again, right bytes
            assertContent(o, 0, dst, 3 * LINE);
            assertEquals(7, cache.stats().fetches());
        }
    }

    @Test
    void anEvictionAndRefetchDuringACopyIsDetectedAndRetried() throws Exception {
        Source src = new Source();
        ObjectRef wanted = object("wanted", LINE);
        ObjectRef intruder = object("intruder", LINE);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicReference<DataCache> self = new AtomicReference<>();
        try (DataCache cache = new DataCache(new LineStore(LINE, 1) {
                 @Override
                 boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n)
                         throws CacheStorageException {
                     if (armed.compareAndSet(true, false)) {
                         // Between the reader's snapshot and its copy, the only line is evicted and
                         // refilled with another object's bytes: the copy below reads those.
                         try (Arena a = Arena.ofConfined()) {
                             self.get().read(intruder, 0, a.allocate(16));
                         } catch (BackendException e) {
                             throw new AssertionError(e);
                         }
                     }
                     return super.copyOut(line, key, inLine, dst, dstOffset, n);
                 }
             }, src);
             Arena arena = Arena.ofConfined()) {
            self.set(cache);
            MemorySegment dst = arena.allocate(LINE);
            cache.read(wanted, 0, dst); // resident now
            armed.set(true);
            assertEquals(LINE, cache.read(wanted, 0, dst));
            assertContent(wanted, 0, dst, LINE);
            assertEquals(1, cache.stats().retries());
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aFailedFetchPoisonsItsLineOnceAndTheNextReadFetchesAgain(Storage storage, @TempDir Path dir) throws Exception {
        Source good = new Source();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        LineFetcher failingOnce = (o, off, dst) -> {
            if (failuresLeft.getAndDecrement() > 0) {
                dst.fill((byte) 0x5A); // garbage that must never be served
                throw new BackendException(BackendException.Kind.IO, "connection reset");
            }
            return good.fetch(o, off, dst);
        };
        ObjectRef o = object("o", LINE);
        try (DataCache cache = storage.cache(dir, 2, failingOnce);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(LINE);
            BackendException e = assertThrows(BackendException.class, () -> cache.read(o, 0, dst));
            assertEquals(BackendException.Kind.IO, e.kind());
            assertEquals(0, cache.residentLines());
            assertEquals(1, cache.stats().poisoned());
            assertEquals(LINE, cache.read(o, 0, dst));
            assertContent(o, 0, dst, LINE);
        }
    }

    @Test
    void aShortFetchIsNeverServed() throws Exception {
        Source good = new Source();
        AtomicBoolean shortOnce = new AtomicBoolean(true);
        LineFetcher truncating = (o, off, dst) -> {
            long n = good.fetch(o, off, dst);
            return shortOnce.getAndSet(false) ? n / 2 : n;
        };
        ObjectRef o = object("o", LINE);
        try (DataCache cache = new DataCache(LINE, 2, truncating);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(LINE);
            assertTrue(assertThrows(BackendException.class, () -> cache.read(o, 0, dst)).getMessage().contains("short"));
            assertEquals(LINE, cache.read(o, 0, dst));
            assertContent(o, 0, dst, LINE);
        }
    }

    @Test
    void concurrentReadersOfAMissingLineShareOneFetchAndItsFailure() throws Exception {
        for (boolean fail : new boolean[] {false, true}) {
            CountDownLatch release = new CountDownLatch(1);
            Source good = new Source();
            AtomicInteger calls = new AtomicInteger();
            LineFetcher slow = (o, off, dst) -> {
                calls.incrementAndGet();
                await(release);
                if (fail) {
                    throw new BackendException(BackendException.Kind.IO, "boom");
                }
                return good.fetch(o, off, dst);
            };
            ObjectRef o = object("o", LINE);
            try (DataCache cache = new DataCache(LINE, 4, slow)) {
                int readers = 8;
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < readers; i++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try (Arena a = Arena.ofConfined()) {
                            MemorySegment dst = a.allocate(LINE);
                            cache.read(o, 0, dst);
                            assertContent(o, 0, dst, LINE);
                            ok.incrementAndGet();
                        } catch (BackendException e) {
                            failed.incrementAndGet();
                        }
                    }));
                }
                while (cache.stats().waits() < readers - 1) {
                    Thread.sleep(1);
                }
                release.countDown();
                for (Thread t : threads) {
                    t.join();
                }
                assertEquals(1, calls.get(), "one fetch for all readers");
                assertEquals(fail ? 0 : readers, ok.get());
                assertEquals(fail ? readers : 0, failed.get());
            }
        }
    }

    @Test
    void whenEveryLineIsInboundReadersWaitInsteadOfFailing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Source good = new Source();
        LineFetcher slow = (o, off, dst) -> {
            await(release);
            return good.fetch(o, off, dst);
        };
        try (DataCache cache = new DataCache(LINE, 2, slow)) {
            AtomicReference<Throwable> error = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ObjectRef o = object("o" + i, LINE);
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment dst = a.allocate(LINE);
                        cache.read(o, 0, dst);
                        assertContent(o, 0, dst, LINE);
                    } catch (Throwable t) {
                        error.set(t);
                    }
                }));
            }
            while (cache.stats().misses() < 2 || cache.stats().waits() < 1) { // two fetch, the third finds no room
                Thread.sleep(1);
            }
            release.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertNull(error.get());
            // A waiter may evict a line its fetcher is still copying from; that reader retries and refetches.
            assertTrue(cache.stats().fetches() >= 3);
        }
    }

    @Test
    void prefetchFetchesAheadWithoutWaitingAndSkipsResidentLines() throws Exception {
        Source src = new Source();
        ObjectRef o = object("o", 10 * LINE);
        try (DataCache cache = new DataCache(LINE, 4, src);
             Prefetcher prefetcher = new Prefetcher(cache, 3);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(LINE);
            cache.read(o, 0, dst);
            prefetcher.prefetch(o, 1, 10); // capped at the prefetch limit (3)
            while (cache.stats().fetches() < 4) {
                Thread.sleep(1);
            }
            assertEquals(3, cache.stats().prefetches());
            prefetcher.prefetch(o, 1, 3); // all resident: nothing to do
            assertEquals(3, cache.stats().prefetches());
            long misses = cache.stats().misses();
            cache.read(o, LINE, dst);
            assertEquals(misses, cache.stats().misses());
            assertContent(o, LINE, dst, LINE);
        }
    }

    @Test
    void aPrefetchRefusedAfterCloseLeavesNoLineWaitingForever() throws Exception {
        Source src = new Source();
        ObjectRef o = object("o", 4 * LINE);
        try (DataCache cache = new DataCache(LINE, 4, src);
             Arena arena = Arena.ofShared()) {
            Prefetcher prefetcher = new Prefetcher(cache, 3);
            prefetcher.close();
            prefetcher.prefetch(o, 1, 3); // its executor refuses: the claimed line must not stay "being fetched"
            MemorySegment dst = arena.allocate(LINE);
            Object outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    return cache.read(o, LINE, dst);
                } catch (BackendException e) {
                    return e;
                }
            }).get(30, TimeUnit.SECONDS); // bounded: a reader parked forever fails here
            assertEquals(LINE, outcome);
            assertContent(o, LINE, dst, LINE);
        }
    }

    @Test
    void readAheadGrowsForSequentialReadersAndStaysOffForRandomOnes() {
        ReadAhead seq = new ReadAhead();
        List<Integer> windows = new ArrayList<>();
        for (long off = 0; off < 6 * LINE; off += LINE / 4) {
            windows.add(seq.after(off, LINE / 4, LINE, 4));
        }
        assertEquals(List.of(0, 1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0), windows);
        ReadAhead random = new ReadAhead();
        random.after(50 * LINE, 4096, LINE, 4);
        int total = 0;
        for (int i = 0; i < 100; i++) { // jumps of 37 x 4 lines: never near where the last read ended
            total += random.after((i * 37 % 1000) * 4 * LINE, 4096, LINE, 4);
        }
        assertEquals(0, total);
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void stressRandomReadsOfThreeTimesTheCacheDeliverOnlyCorrectBytes(Storage storage, @TempDir Path dir) throws Exception {
        Source src = new Source();
        int lines = 8;
        List<ObjectRef> objects = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            objects.add(object("obj" + i, 4 * LINE + i * 1000)); // 6 × 4 lines = 3 × the cache
        }
        try (DataCache cache = storage.cache(dir, lines, src)) {
            AtomicLong wrong = new AtomicLong();
            AtomicLong reads = new AtomicLong();
            Set<Throwable> errors = ConcurrentHashMap.newKeySet();
            long deadline = System.nanoTime() + 60_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment dst = a.allocate(2 * LINE);
                        // Bounded: at least 3000 reads each, then on until retries prove races (60 s at most).
                        for (int i = 0; i < 3000 || (cache.stats().retries() < 5 && System.nanoTime() < deadline); i++) {
                            ObjectRef o = objects.get(r.nextInt(objects.size()));
                            long off = r.nextLong(o.size());
                            long len = 1 + r.nextLong(2 * LINE);
                            long n = cache.read(o, off, dst.asSlice(0, len));
                            reads.incrementAndGet();
                            for (long k = 0; k < n; k++) {
                                if (dst.get(ValueLayout.JAVA_BYTE, k) != expected(o, off + k)) {
                                    wrong.incrementAndGet();
                                }
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            CacheStats s = cache.stats();
            System.out.println("stress: " + reads.get() + " reads, " + s);
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(0, wrong.get(), "wrong bytes delivered");
            assertTrue(s.evictions() > 0);
            assertTrue(s.retries() > 0, "no copy raced an eviction; the test proved nothing: " + s);
        }
    }

    /**
     * A fetcher that gives up at its deadline while its request goes on writing into the line for
     * more than twice as long (as a cancelled CRT request may). The failed line is reused at once
     * (one line, LIFO free list) by another object; its bytes must never be overwritten.
     */
    @ParameterizedTest
    @EnumSource(Storage.class)
    void aFailedFetchsLateWritesNeverReachTheLineItIsReusedFor(Storage storage, @TempDir Path dir) throws Exception {
        long deadlineMillis = 200;
        Source good = new Source();
        AtomicLong refused = new AtomicLong();
        AtomicLong writesAfterFailure = new AtomicLong();
        CountDownLatch rogueDone = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        ObjectRef slow = object("slow", LINE);
        LineFetcher timingOut = (o, off, dst) -> {
            if (!o.equals(slow)) {
                return good.fetch(o, off, dst);
            }
            Thread.ofPlatform().start(() -> { // the request that was "cancelled" but keeps delivering
                long end = System.nanoTime() + 3 * deadlineMillis * 1_000_000L;
                try {
                    while (System.nanoTime() < end) {
                        dst.fill((byte) 0x5A);
                        if (failed.get()) {
                            writesAfterFailure.incrementAndGet();
                        }
                    }
                } catch (IllegalStateException revoked) {
                    refused.incrementAndGet();
                } finally {
                    rogueDone.countDown();
                }
            });
            try {
                Thread.sleep(deadlineMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failed.set(true);
            throw new BackendException(BackendException.Kind.TIMEOUT, "no answer within " + deadlineMillis + " ms");
        };
        ObjectRef other = object("other", LINE);
        try (DataCache cache = storage.cache(dir, 1, timingOut);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(LINE);
            assertEquals(BackendException.Kind.TIMEOUT, assertThrows(BackendException.class, () -> cache.read(slow, 0, dst)).kind());
            long reads = 0;
            while (rogueDone.getCount() > 0 || reads < 100) { // warm reads of the reused line while the rogue writes
                assertEquals(LINE, cache.read(other, 0, dst));
                assertContent(other, 0, dst, LINE);
                reads++;
            }
            assertEquals(1, refused.get(), "the late writer was not cut off");
            assertEquals(1, good.fetches.get(), "the reused line was refetched: " + cache.stats());
        }
    }

    /** Failed fetches whose writers go on writing, under many readers of a two-line cache: no wrong byte, ever. */
    @ParameterizedTest
    @EnumSource(Storage.class)
    void stressFetchersThatFailWhileStillWritingNeverServeWrongBytes(Storage storage, @TempDir Path dir) throws Exception {
        Source good = new Source();
        AtomicLong rogues = new AtomicLong();
        LineFetcher flaky = (o, off, dst) -> {
            if (ThreadLocalRandom.current().nextInt(3) == 0) {
                rogues.incrementAndGet();
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            dst.fill((byte) i);
                            Thread.onSpinWait();
                        }
                    } catch (IllegalStateException revoked) {
                        // cut off by the quarantine
                    }
                });
                throw new BackendException(BackendException.Kind.IO, "connection reset");
            }
            return good.fetch(o, off, dst);
        };
        List<ObjectRef> objects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            objects.add(object("obj" + i, 2 * LINE));
        }
        try (DataCache cache = storage.cache(dir, 2, flaky)) {
            long served = randomReadsServeOnlyRightBytes(cache, objects);
            System.out.println("stress with rogue writers: " + served + " reads served, " + rogues.get() + " rogue writers, "
                    + cache.stats());
            assertTrue(rogues.get() > 10 && served > 1000, "the stress proved nothing: " + cache.stats());
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aFetcherThatThrowsAnErrorFailsItsReadersAndTheNextReadSucceeds(Storage storage, @TempDir Path dir) throws Exception {
        for (Error error : new Error[] {new OutOfMemoryError("injected"), new StackOverflowError()}) {
            Source good = new Source();
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            LineFetcher throwing = (o, off, dst) -> {
                if (calls.getAndIncrement() == 0) {
                    await(release);
                    throw error;
                }
                return good.fetch(o, off, dst);
            };
            ObjectRef o = object("o", LINE);
            try (DataCache cache = storage.cache(dir, 2, throwing)) {
                List<CompletableFuture<Object>> readers = new ArrayList<>();
                for (int i = 0; i < 3; i++) { // one fetches, two wait on its fetch
                    readers.add(CompletableFuture.supplyAsync(() -> {
                        try (Arena a = Arena.ofConfined()) {
                            return cache.read(o, 0, a.allocate(LINE));
                        } catch (BackendException e) {
                            return e;
                        }
                    }, Executors.newVirtualThreadPerTaskExecutor()));
                }
                while (cache.stats().misses() + cache.stats().waits() < 3) {
                    Thread.sleep(1);
                }
                release.countDown();
                for (CompletableFuture<Object> r : readers) {
                    Object outcome = r.get(30, TimeUnit.SECONDS); // bounded: a reader parked forever fails here
                    assertTrue(outcome instanceof BackendException e && e.kind() == BackendException.Kind.IO,
                            error + ": " + outcome);
                }
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment dst = a.allocate(LINE);
                    assertEquals(LINE, cache.read(o, 0, dst));
                    assertContent(o, 0, dst, LINE);
                }
            }
        }
    }

    /**
     * A failed fetch whose view is still held (an I/O call in progress, so the quarantine cannot
     * close it yet) while the same bytes are fetched again into another line: the late writes, and
     * the release of the failed line once its view is closed, never reach the new line. (A file per
     * object stores a key's bytes at one offset of its file; a second file keeps them apart.)
     */
    @ParameterizedTest
    @EnumSource(Storage.class)
    void aRefetchWhileTheFailedFetchIsQuarantinedIsNeverTouchedByIt(Storage storage, @TempDir Path dir) throws Exception {
        Source good = new Source();
        java.nio.channels.Pipe hold = java.nio.channels.Pipe.open();
        java.nio.channels.Pipe late = java.nio.channels.Pipe.open();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch holding = new CountDownLatch(2);
        LineFetcher failingFirst = (o, off, dst) -> {
            if (calls.getAndIncrement() > 0) {
                return good.fetch(o, off, dst);
            }
            java.nio.ByteBuffer whole = dst.asByteBuffer();
            java.nio.ByteBuffer head = dst.asSlice(0, 16).asByteBuffer();
            Thread.ofPlatform().start(() -> { // holds the view: NIO keeps it acquired during the read
                holding.countDown();
                try {
                    hold.source().read(whole);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.ofPlatform().start(() -> { // a late write of 8 bytes, when the test says so
                holding.countDown();
                try {
                    late.source().read(head);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            await(holding);
            throw new BackendException(BackendException.Kind.IO, "connection reset");
        };
        ObjectRef o = object("o", LINE);
        try (DataCache cache = storage.cache(dir, 4, failingFirst);
             Arena arena = Arena.ofConfined()) {
            CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> {
                try (Arena a = Arena.ofConfined()) {
                    return cache.read(o, 0, a.allocate(LINE));
                } catch (BackendException e) {
                    return e;
                }
            });
            while (cache.stats().fetchFailures() == 0) {
                Thread.sleep(5);
            }
            MemorySegment dst = arena.allocate(LINE);
            assertEquals(LINE, cache.read(o, 0, dst));
            assertContent(o, 0, dst, LINE);
            late.sink().write(java.nio.ByteBuffer.wrap(new byte[] {0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77}));
            Thread.sleep(100);
            assertEquals(LINE, cache.read(o, 0, dst));
            assertContent(o, 0, dst, LINE);
            hold.sink().close(); // the view is let go: the quarantine closes it and releases the failed line
            assertInstanceOf(BackendException.class, first.get(30, TimeUnit.SECONDS));
            assertEquals(LINE, cache.read(o, 0, dst));
            assertContent(o, 0, dst, LINE);
            late.sink().close();
        }
    }

    /** A file per object whose file fails under a resident line (here: cut short): reads go to the backend, no spinning. */
    @Test
    void aCacheFileThatCannotBeReadBackSendsReadsToTheBackend(@TempDir Path dir) throws Exception {
        Source src = new Source();
        ObjectRef o = object("o", 2 * LINE);
        try (DataCache cache = Storage.PER_OBJECT_FILE.cache(dir, 4, src);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(2 * LINE);
            assertEquals(2 * LINE, cache.read(o, 0, dst));
            Path file;
            try (var folders = java.nio.file.Files.list(dir); var files = java.nio.file.Files.list(folders.findFirst().orElseThrow())) {
                file = files.filter(f -> f.getFileName().toString().startsWith("o")).findFirst().orElseThrow();
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(LINE / 2);
            }
            dst.fill((byte) 0);
            assertEquals(2 * LINE, cache.read(o, 0, dst));
            assertContent(o, 0, dst, 2 * LINE);
            assertTrue(cache.stats().uncachedReads() >= 1, cache.stats().toString());
            assertEquals(2, src.fetches.get() - cache.stats().uncachedReads(), "the two lines were fetched once each: " + cache.stats());
        }
    }

    /** A test fetcher that reports what has arrived; a fetch without a listener reports to nobody. */
    @FunctionalInterface
    private interface Reporting extends LineFetcher {
        long fetchReporting(ObjectRef o, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException;

        @Override
        default long fetch(ObjectRef o, long offset, MemorySegment dst) throws BackendException {
            return fetchReporting(o, offset, dst, Arrivals.NONE);
        }

        @Override
        default long fetch(ObjectRef o, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
            return fetchReporting(o, offset, dst, arrivals);
        }
    }

    /**
     * Writes the line's first half and reports it, then waits for {@code rest} before writing the
     * second half, or failing while {@code failures} lasts (later fetches are whole).
     */
    private static LineFetcher halfThenRest(CountDownLatch rest, AtomicInteger failures) {
        return (Reporting) (o, offset, dst, arrivals) -> {
            long n = Math.min(dst.byteSize(), o.size() - offset);
            boolean fail = failures.getAndDecrement() > 0;
            for (long i = 0; i < n / 2; i++) {
                dst.set(ValueLayout.JAVA_BYTE, i, expected(o, offset + i));
            }
            arrivals.reached(n / 2);
            await(rest);
            if (fail) {
                throw new BackendException(BackendException.Kind.IO, "connection reset");
            }
            for (long i = n / 2; i < n; i++) {
                dst.set(ValueLayout.JAVA_BYTE, i, expected(o, offset + i));
            }
            arrivals.reached(n);
            return n;
        };
    }

    /** Until {@code n} readers found the line's fetch under way (and follow it). */
    private static void awaitFollowers(DataCache cache, int n) throws InterruptedException {
        while (cache.stats().waits() < n) {
            Thread.sleep(1);
        }
    }

    /** A read on another thread, into {@code dst}. */
    private static CompletableFuture<Long> readAsync(DataCache cache, ObjectRef o, long offset, MemorySegment dst) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return cache.read(o, offset, dst);
            } catch (BackendException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aReaderGetsTheBytesThatArrivedWhileItsFetchGoesOn(Storage storage, @TempDir Path dir) throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        ObjectRef o = object("o", LINE);
        try (DataCache cache = storage.cache(dir, 4, halfThenRest(rest, new AtomicInteger()));
             Arena arena = Arena.ofShared()) {
            MemorySegment first = arena.allocate(4096);
            // Were the reader to wait for the whole line, this would time out: the fetch waits for `rest`.
            assertEquals(4096, readAsync(cache, o, 0, first).get(30, TimeUnit.SECONDS));
            assertContent(o, 0, first, 4096);
            assertEquals(1, cache.stats().readsWhileFetching());
            MemorySegment later = arena.allocate(4096);
            CompletableFuture<Long> beyond = readAsync(cache, o, LINE / 2 + 100, later); // past what arrived: it waits
            awaitFollowers(cache, 1);
            rest.countDown();
            assertEquals(4096, beyond.get(30, TimeUnit.SECONDS));
            assertContent(o, LINE / 2 + 100, later, 4096); // never the bytes before they were written
            assertEquals(1, cache.stats().misses(), "one fetch for both readers: " + cache.stats());
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aFetchFailingAfterSomeBytesArrivedPoisonsItsLineForTheRest(Storage storage, @TempDir Path dir) throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        ObjectRef o = object("o", LINE);
        try (DataCache cache = storage.cache(dir, 4, halfThenRest(rest, new AtomicInteger(1)));
             Arena arena = Arena.ofShared()) {
            MemorySegment first = arena.allocate(4096);
            assertEquals(4096, readAsync(cache, o, 0, first).get(30, TimeUnit.SECONDS));
            assertContent(o, 0, first, 4096); // arrived before the failure: the right bytes
            CompletableFuture<Long> beyond = readAsync(cache, o, LINE / 2, arena.allocate(4096));
            awaitFollowers(cache, 1); // it follows the failing fetch, rather than start one after the failure
            rest.countDown();
            java.util.concurrent.ExecutionException e =
                    assertThrows(java.util.concurrent.ExecutionException.class, () -> beyond.get(30, TimeUnit.SECONDS));
            assertInstanceOf(BackendException.class, e.getCause());
            assertEquals(1, cache.stats().poisoned());
            MemorySegment again = arena.allocate(4096);
            assertEquals(4096, cache.read(o, LINE / 2, again)); // fetched anew, whole
            assertContent(o, LINE / 2, again, 4096);
        }
    }

    /**
     * Fetches that report their line in four pieces, a third of them failing after a random number
     * of pieces, under many readers of a two-line cache: readers follow them, failed lines are let
     * go (a file's range punched) and reused at once, and no reader ever gets a wrong byte.
     */
    @ParameterizedTest
    @EnumSource(Storage.class)
    void stressFollowersOfFetchesThatFailPartWayGetOnlyRightBytes(Storage storage, @TempDir Path dir) throws Exception {
        AtomicLong failed = new AtomicLong();
        Reporting pieces = (o, offset, dst, arrivals) -> {
            long n = Math.min(dst.byteSize(), o.size() - offset);
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int failAfter = r.nextInt(3) == 0 ? r.nextInt(4) : 4;
            for (int piece = 0; piece < 4; piece++) {
                if (piece == failAfter) {
                    failed.incrementAndGet();
                    throw new BackendException(BackendException.Kind.IO, "connection reset");
                }
                for (long i = piece * n / 4; i < (piece + 1) * n / 4; i++) {
                    dst.set(ValueLayout.JAVA_BYTE, i, expected(o, offset + i));
                }
                arrivals.reached((piece + 1) * n / 4);
                Thread.yield();
            }
            return n;
        };
        List<ObjectRef> objects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            objects.add(object("obj" + i, 2 * LINE));
        }
        try (DataCache cache = storage.cache(dir, 2, pieces)) {
            long served = randomReadsServeOnlyRightBytes(cache, objects);
            CacheStats s = cache.stats();
            System.out.println("stress with followers: " + served + " reads served, " + failed.get() + " failed fetches, " + s);
            assertTrue(failed.get() > 10 && served > 1000 && s.readsWhileFetching() > 10, "the stress proved nothing: " + s);
        }
    }

    /**
     * Six threads read 4 KiB at random offsets of {@code objects}, 1500 reads each, checking every
     * byte; a read the cache fails is skipped. Returns the reads served; asserts no error and no wrong byte.
     */
    private static long randomReadsServeOnlyRightBytes(DataCache cache, List<ObjectRef> objects) throws InterruptedException {
        AtomicLong wrong = new AtomicLong();
        AtomicLong served = new AtomicLong();
        Set<Throwable> errors = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment dst = a.allocate(4096);
                    for (int i = 0; i < 1500; i++) {
                        ObjectRef o = objects.get(r.nextInt(objects.size()));
                        long off = r.nextLong(o.size() - 4096);
                        long n;
                        try {
                            n = cache.read(o, off, dst);
                        } catch (BackendException expected) {
                            continue;
                        }
                        served.incrementAndGet();
                        for (long k = 0; k < n; k++) {
                            if (dst.get(ValueLayout.JAVA_BYTE, k) != expected(o, off + k)) {
                                wrong.incrementAndGet();
                                break;
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(0, wrong.get(), "reads that delivered wrong bytes");
        return served.get();
    }

    @Test
    void bytesCopiedFromALineBeingFetchedCountOnlyWhileTheLineIsThatFetchsOrWhatItPublished() throws Exception {
        ObjectRef o = object("o", LINE);
        LineKey key = new LineKey(o, 0);
        try (LineStore store = new LineStore(LINE, 1);
             Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(100);
            long fetch = store.assign(0, key, LINE);
            assertEquals(100, store.copyArrived(0, fetch, key, 0, dst, 0, 100));
            store.publish(0);
            assertEquals(100, store.copyArrived(0, fetch, key, 0, dst, 0, 100), "what that fetch published");
            store.evict(0);
            assertEquals(LineStore.TORN, store.copyArrived(0, fetch, key, 0, dst, 0, 100), "evicted");
            long next = store.assign(0, key, LINE);
            assertEquals(LineStore.TORN, store.copyArrived(0, fetch, key, 0, dst, 0, 100), "the next fetch of the line");
            assertEquals(100, store.copyArrived(0, next, key, 0, dst, 0, 100));
            store.unmap(key, 0); // that fetch failed: its line is let go (a file's range punched)
            store.release(0, key);
            assertEquals(LineStore.TORN, store.copyArrived(0, next, key, 0, dst, 0, 100), "released after a failure");
            store.assign(0, key, LINE);
            assertEquals(LineStore.TORN, store.copyArrived(0, next, key, 0, dst, 0, 100), "a refetch after a failure");
        }
    }

    @Test
    void geometryIsChecked() {
        assertInstanceOf(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class,
                () -> new DataCache(1000, 4, new Source())));
    }
}
