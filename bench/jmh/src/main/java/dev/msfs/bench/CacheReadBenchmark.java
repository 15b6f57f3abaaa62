package dev.msfs.bench;

import dev.msfs.backend.BackendException;
import dev.msfs.cache.DataCache;
import dev.msfs.cache.ObjectRef;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Warm reads of the cache read path, every line resident: the optimistic copy (the design) versus
 * the same read with every copy under one global lock (the baseline: a cache that copies under its
 * lock, as MSFS does), and a bare MemorySegment.copy of the same size from the same arena-sized
 * memory (the ceiling). Thread counts come from the JMH command line.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CacheReadBenchmark {
    private static final long LINE = 1 << 20;
    private static final int LINES = 64;
    private static final ObjectRef OBJECT = new ObjectRef(0, "bench", "e", LINE * LINES, 0);

    /** OPTIMISTIC: the cache as it is. UNDER_LOCK: the same read inside one global lock. */
    public enum CopyMode { OPTIMISTIC, UNDER_LOCK }

    @State(Scope.Benchmark)
    public static class Cache {
        @Param({"OPTIMISTIC", "UNDER_LOCK"})
        public CopyMode mode;
        DataCache cache;
        final ReentrantLock lock = new ReentrantLock();

        long read(long offset, MemorySegment dst) throws BackendException {
            if (mode == CopyMode.OPTIMISTIC) {
                return cache.read(OBJECT, offset, dst);
            }
            lock.lock();
            try {
                return cache.read(OBJECT, offset, dst);
            } finally {
                lock.unlock();
            }
        }

        @Setup(Level.Trial)
        public void fill() throws BackendException {
            cache = new DataCache(LINE, LINES, (o, off, dst) -> {
                dst.fill((byte) off);
                return dst.byteSize();
            });
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(LINE);
                for (long off = 0; off < OBJECT.size(); off += LINE) {
                    cache.read(OBJECT, off, tmp);
                }
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            cache.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Source {
        final Arena arena = Arena.ofShared();
        final MemorySegment memory = arena.allocate(LINE * LINES, 4096);

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }
    }

    /**
     * Each thread's reply buffer and read position: reads walk the object in steps of their size,
     * aligned to it (so a read never crosses the end), each thread from its own starting point.
     */
    @State(Scope.Thread)
    public static class Reader {
        @Param({"4096", "65536", "1048576"})
        public int size;
        MemorySegment dst;
        long offset;

        @Setup(Level.Trial)
        public void allocate() {
            dst = Arena.ofAuto().allocate(size, 4096);
            offset = (Thread.currentThread().threadId() * 7919L * size) % (LINE * LINES);
        }

        long next() {
            long o = offset;
            offset = (offset + size) % (LINE * LINES);
            return o;
        }
    }

    @Benchmark
    public long cacheRead(Cache c, Reader r) throws BackendException {
        return c.read(r.next(), r.dst);
    }

    @Benchmark
    public MemorySegment segmentCopy(Source s, Reader r) {
        MemorySegment.copy(s.memory, r.next(), r.dst, 0, r.size);
        return r.dst;
    }
}
