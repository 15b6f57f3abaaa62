package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.PseudoBackend;
import dev.msfs.backend.RamBackend;
import dev.msfs.cache.CacheStats;
import dev.msfs.config.BackendType;
import dev.msfs.config.CacheStorageMode;
import dev.msfs.config.MsfsConfig;
import dev.msfs.config.TypeSettings;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache arena behind a real kernel mount: direct_io reads, eviction races, poisoned fetches,
 * with the lines in memory, in one mapped file, and in a file per object.
 */
class CacheMountIT {
    private static final long LINE = 256 << 10;

    private static MsfsConfig config(int lines, int prefetch, TypeSettings settings, BackendType type) {
        return InProcessMount.oneBackend("data", type, settings, LINE, lines, prefetch);
    }

    /** As above, with the arena where {@code storage} says (a file-backed one in {@code dir}). */
    private static MsfsConfig config(int lines, TypeSettings settings, BackendType type, CacheStorageMode storage, Path dir) {
        return config(lines, 0, settings, type).toBuilder().cacheStorage(storage, dir).build();
    }

    @ParameterizedTest
    @EnumSource(CacheStorageMode.class)
    void randomReadsFromManyThreadsOfThreeTimesTheCacheAreAllCorrect(CacheStorageMode storage, @TempDir Path mnt,
                                                                     @TempDir Path cacheDir) throws Exception {
        // 8 files x 1 MiB = 8 MiB of data, a cache of 10 lines x 256 KiB = 2.5 MiB: 3.2 times the cache.
        TypeSettings.Pseudo pseudo = new TypeSettings.Pseudo("dir_%08X", "file_%08X", 0, 0, 1 << 20,
                new long[] {8, 0, 0, 0}, new long[] {0, 0, 0}, 1000, 0, 0, 0);
        try (InProcessMount m = new InProcessMount(config(10, pseudo, BackendType.PSEUDO, storage, cacheDir),
                List.of(new PseudoBackend(pseudo)), mnt)) {
            AtomicLong wrong = new AtomicLong();
            AtomicLong reads = new AtomicLong();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    Random r = new Random(seed);
                    ByteBuffer buf = ByteBuffer.allocate(300_000);
                    try {
                        for (int i = 0; i < 400; i++) {
                            String name = String.format("file_%08X", r.nextInt(8));
                            try (FileChannel ch = FileChannel.open(mnt.resolve("data").resolve(name), StandardOpenOption.READ)) {
                                long off = r.nextInt(1 << 20);
                                buf.clear().limit(1 + r.nextInt(buf.capacity()));
                                int n = Math.max(0, ch.read(buf, off));
                                reads.incrementAndGet();
                                for (int k = 0; k < n; k++) {
                                    if (buf.get(k) != PseudoBackend.contentByte(name, off + k)) {
                                        wrong.incrementAndGet();
                                    }
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
            CacheStats s = m.fs.cacheStats();
            System.out.println(storage.key() + " through the mount: " + reads.get() + " reads, " + s);
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(0, wrong.get(), "wrong bytes delivered through the mount");
            assertTrue(s.evictions() > 0, s.toString());
            assertTrue(s.hits() > 0, s.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(CacheStorageMode.class)
    void aFailedFetchIsEioAndTheNextReadSucceeds(CacheStorageMode storage, @TempDir Path mnt, @TempDir Path cacheDir)
            throws Exception {
        RamBackend ram = new RamBackend(new TypeSettings.Ram(1000, 100, 1 << 24));
        byte[] content = new byte[(int) (3 * LINE)];
        new Random(1).nextBytes(content);
        ram.put("f", content);
        AtomicInteger failNext = new AtomicInteger();
        Backend faulty = new Backend() {
            @Override
            public ListPage list(String dir, String continuation) throws BackendException {
                return ram.list(dir, continuation);
            }

            @Override
            public Optional<ObjectInfo> stat(String path) {
                return ram.stat(path);
            }

            @Override
            public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
                if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new BackendException(BackendException.Kind.IO, "injected failure");
                }
                return ram.read(path, etag, offset, dst);
            }
        };
        try (InProcessMount m = new InProcessMount(config(8, new TypeSettings.Ram(1000, 100, 1 << 24),
                BackendType.RAM, storage, cacheDir), List.of(faulty), mnt)) {
            Path f = mnt.resolve("data/f");
            failNext.set(1);
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(f));
            assertTrue(e.getMessage().contains("Input/output error"), e.toString());
            assertEquals(1, m.fs.cacheStats().poisoned());
            assertArrayEquals(content, Files.readAllBytes(f));
        }
    }

    @Test
    void sequentialReadersPrefetchAndRandomReadersDoNot(@TempDir Path mnt) throws Exception {
        TypeSettings.Pseudo pseudo = new TypeSettings.Pseudo("dir_%08X", "file_%08X", 0, 0, 16 * LINE,
                new long[] {2, 0, 0, 0}, new long[] {0, 0, 0}, 1000, 0, 0, 0);
        try (InProcessMount m = new InProcessMount(config(40, 4, pseudo, BackendType.PSEUDO),
                List.of(new PseudoBackend(pseudo)), mnt)) {
            try (FileChannel ch = FileChannel.open(mnt.resolve("data/file_00000000"), StandardOpenOption.READ)) {
                Random r = new Random(3);
                ByteBuffer buf = ByteBuffer.allocate(4096);
                for (int i = 0; i < 50; i++) { // jumps of 5 lines: never where the last read ended
                    ch.read(buf.clear(), (long) (i * 5 % 16) * LINE + r.nextInt((int) LINE - 4096));
                }
            }
            assertEquals(0, m.fs.cacheStats().prefetches(), "random reads prefetched");
            byte[] all = Files.readAllBytes(mnt.resolve("data/file_00000001"));
            assertEquals(16 * LINE, all.length);
            assertTrue(m.fs.cacheStats().prefetches() > 0, "sequential reads did not prefetch");
            for (int off = 0; off < all.length; off += 4099) {
                assertEquals(PseudoBackend.contentByte("file_00000001", off), all[off]);
            }
        }
    }
}
