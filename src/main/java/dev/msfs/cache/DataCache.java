package dev.msfs.cache;

import dev.msfs.backend.BackendException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All cached object bytes, in one arena of {@code lineCount} lines of {@code lineSize} bytes.
 *
 * <p><b>Generations.</b> Every change of a line bumps its generation, and its parity says whether
 * the line may be served: even while CLEAN, odd while FREE or INBOUND. All changes happen under
 * {@link #lock}, the bump first and then the key, length and (by the fetch that follows) the bytes.
 *
 * <p><b>Read path.</b> A warm read takes no lock: it finds the line in the concurrent map, reads
 * the generation (acquire), checks it is even and that the line still holds its key, copies from
 * the arena into the caller's buffer, then re-reads the generation. If it changed, the line was
 * evicted or refetched during the copy: the bytes are thrown away and the piece is read again.
 * Anything unusual (a miss, an inbound line, a retry) takes the locked slow path, which does the
 * same snapshot-copy-check with the lookup under the lock.
 *
 * <p><b>Why the check is enough</b> (a seqlock): a reader that saw an even generation G saw
 * everything published with it (volatile write after the key, length and bytes). A writer bumps
 * the generation before it changes any of those, so a reader that observed even one changed byte,
 * key or length reads a generation other than G afterwards: the {@link VarHandle#acquireFence()}
 * keeps the copy's loads before that volatile re-read. {@code DataCacheTest} evicts and refetches a
 * line in the middle of a copy and checks the retry, and its stress test fails without the check.
 *
 * <p><b>Eviction</b> is least-recently-used with a second chance: readers mark a line referenced
 * (a plain byte store, no lock); the evictor moves referenced lines from the head of the LRU list
 * to its tail, clearing the mark, and takes the first unmarked one.
 *
 * <p><b>Misses.</b> The first reader of a line claims it (a free line, else the victim above),
 * marks it inbound and fetches straight into the arena slice with the lock released; readers of
 * the same line wait for that one fetch. A fetch that fails or comes back short poisons the line:
 * it is evicted at once, its waiters get the error, and the next read fetches again. When every
 * line is inbound, readers wait for a fetch to finish; they do not fail.
 */
public final class DataCache implements AutoCloseable {
    /** OPTIMISTIC is the design; UNDER_LOCK (copy while holding the lock) is kept as the benchmark baseline. */
    public enum CopyMode { OPTIMISTIC, UNDER_LOCK }

    private static final Logger LOG = Logger.getLogger(DataCache.class.getName());
    private static final VarHandle GENERATION = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(LineKey[].class);
    private static final byte FREE = 0;
    private static final byte INBOUND = 1;
    private static final byte CLEAN = 2;

    private record LineKey(ObjectRef object, long index) {
    }

    /** One fetch in progress; its fields are guarded by {@link #lock}. */
    private static final class Fetch {
        boolean done;
        BackendException failure;
    }

    private final long lineSize;
    private final int lineCount;
    private final int prefetchLimit;
    private final LineFetcher fetcher;
    private final CopyMode mode;
    private final LineArena arena;
    private final MemorySegment memory;
    private final ExecutorService prefetchers = Executors.newVirtualThreadPerTaskExecutor();

    /** Guards every change below; lock-free readers only read lineOf, keyOf, length, generation, and set referenced. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a fetch ends (a line became clean, or free again after a failure). */
    private final Condition fetchEnded = lock.newCondition();
    private final Map<LineKey, Integer> lineOf = new ConcurrentHashMap<>();
    private final LineKey[] keyOf;   // written with volatile semantics (KEYS)
    private final byte[] state;
    private final long[] length;     // written with volatile semantics (LONGS)
    /** Second-chance marks: set by readers without the lock, cleared by the evictor under it. */
    private final byte[] referenced;
    private final Fetch[] inbound;
    /** LRU list of CLEAN lines as links between line numbers; head is the least recently used. */
    private final int[] prev;
    private final int[] next;
    private int lruHead = -1;
    private int lruTail = -1;
    private final int[] free;
    private int freeCount;
    /** Written only under the lock (volatile), read by optimistic readers without it. Odd: not servable. */
    private final long[] generation;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder fetches = new LongAdder();
    private final LongAdder prefetches = new LongAdder();
    private final LongAdder fetchFailures = new LongAdder();
    private final LongAdder poisoned = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder bytesServed = new LongAdder();

    private volatile IntConsumer beforeCopy = line -> { };

    public DataCache(long lineSize, int lineCount, int prefetchLimit, LineFetcher fetcher, CopyMode mode) {
        if (lineSize <= 0 || lineSize % 4096 != 0 || lineCount < 1) {
            throw new IllegalArgumentException("cache lines must be a positive multiple of 4096 bytes, at least one line");
        }
        this.lineSize = lineSize;
        this.lineCount = lineCount;
        this.prefetchLimit = Math.max(0, Math.min(prefetchLimit, lineCount - 1));
        this.fetcher = fetcher;
        this.mode = mode;
        this.arena = new LineArena(lineSize * lineCount, lineSize >= (2 << 20));
        this.memory = arena.segment();
        keyOf = new LineKey[lineCount];
        state = new byte[lineCount];
        length = new long[lineCount];
        inbound = new Fetch[lineCount];
        prev = new int[lineCount];
        next = new int[lineCount];
        generation = new long[lineCount];
        referenced = new byte[lineCount];
        free = new int[lineCount];
        for (int i = lineCount - 1; i >= 0; i--) {
            generation[i] = 1; // free: odd
            free[freeCount++] = i;
        }
    }

    public long lineSize() {
        return lineSize;
    }

    public int prefetchLimit() {
        return prefetchLimit;
    }

    /**
     * Copies object bytes from {@code offset} into {@code dst} (up to its size, less at the end of
     * the object); returns the count. Throws the fetch's failure if a needed line cannot be fetched.
     */
    public long read(ObjectRef object, long offset, MemorySegment dst) throws BackendException {
        long want = Math.max(0, Math.min(dst.byteSize(), object.size() - offset));
        long done = 0;
        while (done < want) {
            long pos = offset + done;
            long index = pos / lineSize;
            done += readFromLine(new LineKey(object, index), pos - index * lineSize, dst, done, want - done);
        }
        bytesServed.add(done);
        return done;
    }

    /**
     * Starts background fetches of up to {@code count} lines from line {@code first} that are not
     * resident or inbound yet. Never waits: it stops at the first line it cannot claim.
     */
    public void prefetch(ObjectRef object, long first, int count) {
        long end = Math.min(first + Math.min(count, prefetchLimit), (object.size() + lineSize - 1) / lineSize);
        lock.lock();
        try {
            for (long index = first; index < end; index++) {
                LineKey key = new LineKey(object, index);
                if (lineOf.containsKey(key)) {
                    continue;
                }
                int line = claim(key);
                if (line < 0) {
                    return;
                }
                prefetches.increment();
                prefetchers.execute(() -> fetchInBackground(line, key));
            }
        } finally {
            lock.unlock();
        }
    }

    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), waits.sum(), fetches.sum(), prefetches.sum(),
                fetchFailures.sum(), poisoned.sum(), retries.sum(), evictions.sum(), bytesServed.sum());
    }

    /** Lines currently holding data (for tests and metrics). */
    public int residentLines() {
        lock.lock();
        try {
            return lineOf.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits (briefly) for background fetches, which write into the arena, before unmapping it. */
    @Override
    public void close() {
        prefetchers.shutdownNow();
        try {
            if (!prefetchers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("background fetches still running at close; leaving the cache memory mapped");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        arena.close();
    }

    /** Test hook: runs between an optimistic reader's generation snapshot and its copy. */
    void beforeCopy(IntConsumer hook) {
        beforeCopy = hook;
    }

    /** Evicts the line holding {@code object}'s line {@code index}, if it is clean (test hook). */
    boolean evict(ObjectRef object, long index) {
        lock.lock();
        try {
            Integer line = lineOf.get(new LineKey(object, index));
            if (line == null || state[line] != CLEAN) {
                return false;
            }
            unlinkLru(line);
            release(line, 1);
            evictions.increment();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private long readFromLine(LineKey key, long inLine, MemorySegment dst, long dstOffset, long max)
            throws BackendException {
        if (mode == CopyMode.OPTIMISTIC) {
            long n = readWithoutLock(key, inLine, dst, dstOffset, max);
            if (n > 0) {
                hits.increment();
                return n;
            }
        }
        while (true) {
            int line;
            long n;
            long gen;
            lock.lock();
            try {
                line = cleanLine(key);
                referenced[line] = 1;
                n = Math.min(max, length[line] - inLine);
                if (n <= 0) {
                    throw new BackendException(BackendException.Kind.IO, key.object().path() + ": cached line is short");
                }
                if (mode == CopyMode.UNDER_LOCK) {
                    MemorySegment.copy(memory, line * lineSize + inLine, dst, dstOffset, n);
                    return n;
                }
                gen = generation[line];
            } finally {
                lock.unlock();
            }
            if (copyAndCheck(line, gen, inLine, dst, dstOffset, n)) {
                return n;
            }
        }
    }

    /** The lock-free hit: bytes copied, or 0 if the line is not there as a clean line (then: slow path). */
    private long readWithoutLock(LineKey key, long inLine, MemorySegment dst, long dstOffset, long max) {
        Integer found = lineOf.get(key);
        if (found == null) {
            return 0;
        }
        int line = found;
        long gen = (long) GENERATION.getAcquire(generation, line);
        if ((gen & 1) != 0 || !key.equals(KEYS.getVolatile(keyOf, line))) {
            return 0;
        }
        long n = Math.min(max, (long) LONGS.getVolatile(length, line) - inLine);
        if (n <= 0 || !copyAndCheck(line, gen, inLine, dst, dstOffset, n)) {
            return 0;
        }
        if (referenced[line] == 0) { // store only when needed: the marks share CPU cache lines across readers
            referenced[line] = 1;    // a benign race: only a hint for the evictor
        }
        return n;
    }

    /** Copies outside the lock; true if the line kept generation {@code gen} throughout. */
    private boolean copyAndCheck(int line, long gen, long inLine, MemorySegment dst, long dstOffset, long n) {
        beforeCopy.accept(line);
        MemorySegment.copy(memory, line * lineSize + inLine, dst, dstOffset, n);
        VarHandle.acquireFence(); // the copy's loads stay before the generation re-read
        if ((long) GENERATION.getVolatile(generation, line) == gen) {
            return true;
        }
        retries.increment(); // evicted or refetched while we copied: the bytes may be torn
        return false;
    }

    /** The resident line for {@code key}, fetching it (or waiting for its fetch) first. Lock held. */
    private int cleanLine(LineKey key) throws BackendException {
        boolean first = true;
        while (true) {
            Integer line = lineOf.get(key);
            if (line == null) {
                misses.increment();
                int claimed = claim(key);
                while (claimed < 0) { // every line is inbound: wait for one fetch to end, then look again
                    fetchEnded.awaitUninterruptibly();
                    if (lineOf.containsKey(key)) {
                        break;
                    }
                    claimed = claim(key);
                }
                if (claimed >= 0) {
                    fetchLocked(claimed, key);
                }
            } else if (state[line] == CLEAN) {
                if (first) {
                    hits.increment();
                }
                return line;
            } else {
                waits.increment();
                Fetch f = inbound[line];
                while (!f.done) {
                    fetchEnded.awaitUninterruptibly();
                }
                if (f.failure != null) {
                    throw failure(key, f.failure);
                }
            }
            first = false;
        }
    }

    /**
     * Takes a free line, else evicts the least recently used clean line not marked referenced
     * (marked ones get a second chance at the tail); -1 if every line is inbound. Lock held.
     */
    private int claim(LineKey key) {
        int line;
        if (freeCount > 0) {
            line = free[--freeCount];
            bump(line, 2); // free (odd) to inbound (odd)
        } else if (lruHead >= 0) {
            line = lruHead;
            for (int looked = 0; referenced[line] != 0 && looked < lineCount; looked++) {
                referenced[line] = 0;
                unlinkLru(line);
                pushLru(line);
                line = lruHead;
            }
            unlinkLru(line);
            lineOf.remove(keyOf[line]);
            evictions.increment();
            bump(line, 1); // clean (even) to inbound (odd): readers of the old content will retry
        } else {
            return -1;
        }
        state[line] = INBOUND;
        referenced[line] = 0;
        KEYS.setVolatile(keyOf, line, key);
        LONGS.setVolatile(length, line, 0L);
        inbound[line] = new Fetch();
        lineOf.put(key, line);
        return line;
    }

    /** Fetches a claimed line with the lock released, then publishes or poisons it. Lock held on entry and exit. */
    private void fetchLocked(int line, LineKey key) throws BackendException {
        long start = key.index() * lineSize;
        long expected = Math.min(lineSize, key.object().size() - start);
        BackendException failure = null;
        long got = 0;
        lock.unlock();
        try {
            got = fetcher.fetch(key.object(), start, memory.asSlice(line * lineSize, expected));
            if (got != expected) {
                failure = new BackendException(BackendException.Kind.IO,
                        key.object().path() + ": short read from the backend (" + got + " of " + expected + " bytes)");
            }
        } catch (BackendException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new BackendException(BackendException.Kind.IO, key.object().path() + ": " + e, e);
        } finally {
            lock.lock();
        }
        fetches.increment();
        Fetch f = inbound[line];
        inbound[line] = null;
        f.done = true;
        f.failure = failure;
        if (failure == null) {
            state[line] = CLEAN;
            LONGS.setVolatile(length, line, got);
            pushLru(line);
            bump(line, 1); // publish: inbound (odd) to clean (even), after the bytes, key and length
        } else {
            fetchFailures.increment();
            poisoned.increment();
            release(line, 2); // poisoned: never served, the next read fetches again
        }
        fetchEnded.signalAll();
        if (failure != null) {
            throw failure(key, failure);
        }
    }

    private void fetchInBackground(int line, LineKey key) {
        lock.lock();
        try {
            fetchLocked(line, key);
        } catch (BackendException e) {
            LOG.log(Level.FINE, "prefetch failed: {0}", e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    private static BackendException failure(LineKey key, BackendException cause) {
        return new BackendException(cause.kind(), "fetch of " + key.object().path() + " line " + key.index()
                + " failed: " + cause.getMessage(), cause);
    }

    /** Back to the free list (after poisoning or a test eviction). Lock held, line not on the LRU. */
    private void release(int line, int step) {
        bump(line, step); // first: to odd, so lock-free readers stop serving it
        lineOf.remove(keyOf[line]);
        KEYS.setVolatile(keyOf, line, null);
        state[line] = FREE;
        free[freeCount++] = line;
    }

    private void bump(int line, int step) {
        GENERATION.setVolatile(generation, line, generation[line] + step);
    }

    private void pushLru(int line) {
        prev[line] = lruTail;
        next[line] = -1;
        if (lruTail >= 0) {
            next[lruTail] = line;
        } else {
            lruHead = line;
        }
        lruTail = line;
    }

    private void unlinkLru(int line) {
        if (prev[line] >= 0) {
            next[prev[line]] = next[line];
        } else {
            lruHead = next[line];
        }
        if (next[line] >= 0) {
            prev[next[line]] = prev[line];
        } else {
            lruTail = prev[line];
        }
        prev[line] = -1;
        next[line] = -1;
    }
}
