package dev.msfs.cache;

import dev.msfs.backend.BackendException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All cached object bytes, in one arena of {@code lineCount} lines of {@code lineSize} bytes.
 *
 * <p><b>Read path.</b> Under {@link #lock} a reader finds its line, touches the LRU and snapshots
 * the line's generation; it copies from the arena into the caller's buffer <em>outside</em> the
 * lock, then re-reads the generation. If it changed, the line was evicted or refetched during the
 * copy: the bytes are thrown away and the piece is read again. So warm reads of different lines
 * run in parallel and hold the lock only for a map lookup.
 *
 * <p><b>Why the check is enough</b> (a seqlock): every eviction and every (re)claim bumps the
 * generation under the lock, <em>before</em> anyone may write the line again (the fetch that
 * rewrites it starts after the bump, ordered by the lock's release and acquire). A reader that
 * saw even one rewritten byte therefore reads the bumped generation afterwards: the
 * {@link VarHandle#acquireFence()} keeps its copy's loads from moving past that volatile read.
 * {@code DataCacheTest} evicts and refetches a line in the middle of a copy and checks the retry.
 *
 * <p><b>Misses.</b> The first reader of a line claims it (a free line, else the least recently used
 * clean one), marks it inbound and fetches straight into the arena slice with the lock released;
 * readers of the same line wait for that one fetch. A fetch that fails or comes back short
 * poisons the line: it is evicted at once, its waiters get the error, and the next read fetches
 * again. When every line is inbound, readers wait for a fetch to finish; they do not fail.
 */
public final class DataCache implements AutoCloseable {
    /** OPTIMISTIC is the design; UNDER_LOCK (copy while holding the lock) is kept as the benchmark baseline. */
    public enum CopyMode { OPTIMISTIC, UNDER_LOCK }

    private static final Logger LOG = Logger.getLogger(DataCache.class.getName());
    private static final VarHandle GENERATION = MethodHandles.arrayElementVarHandle(long[].class);
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

    /** Guards everything below except {@link #generation}'s lock-free reads and the counters. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a fetch ends (a line became clean, or free again after a failure). */
    private final Condition fetchEnded = lock.newCondition();
    private final Map<LineKey, Integer> lineOf = new HashMap<>();
    private final LineKey[] keyOf;
    private final byte[] state;
    private final long[] length;
    private final Fetch[] inbound;
    /** LRU list of CLEAN lines as links between line numbers; head is the least recently used. */
    private final int[] prev;
    private final int[] next;
    private int lruHead = -1;
    private int lruTail = -1;
    private final int[] free;
    private int freeCount;
    /** Written only under the lock (volatile), read by optimistic readers without it. */
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
        free = new int[lineCount];
        for (int i = lineCount - 1; i >= 0; i--) {
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

    @Override
    public void close() {
        prefetchers.shutdownNow();
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
            release(line);
            evictions.increment();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private long readFromLine(LineKey key, long inLine, MemorySegment dst, long dstOffset, long max)
            throws BackendException {
        while (true) {
            int line;
            long n;
            long gen;
            lock.lock();
            try {
                line = cleanLine(key);
                touch(line);
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
            beforeCopy.accept(line);
            MemorySegment.copy(memory, line * lineSize + inLine, dst, dstOffset, n);
            VarHandle.acquireFence(); // the copy's loads stay before the generation re-read
            if ((long) GENERATION.getVolatile(generation, line) == gen) {
                return n;
            }
            retries.increment(); // evicted or refetched while we copied: the bytes may be torn
        }
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

    /** Takes a free line, else evicts the least recently used clean one; -1 if every line is inbound. Lock held. */
    private int claim(LineKey key) {
        int line;
        if (freeCount > 0) {
            line = free[--freeCount];
        } else if (lruHead >= 0) {
            line = lruHead;
            unlinkLru(line);
            lineOf.remove(keyOf[line]);
            evictions.increment();
        } else {
            return -1;
        }
        bump(line); // before anyone may write the line: readers of its old content will retry
        state[line] = INBOUND;
        keyOf[line] = key;
        length[line] = 0;
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
            length[line] = got;
            pushLru(line);
        } else {
            fetchFailures.increment();
            poisoned.increment();
            release(line); // poisoned: never served, the next read fetches again
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
    private void release(int line) {
        lineOf.remove(keyOf[line]);
        keyOf[line] = null;
        state[line] = FREE;
        bump(line);
        free[freeCount++] = line;
    }

    private void bump(int line) {
        GENERATION.setVolatile(generation, line, generation[line] + 1);
    }

    private void touch(int line) {
        if (line != lruTail) {
            unlinkLru(line);
            pushLru(line);
        }
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
