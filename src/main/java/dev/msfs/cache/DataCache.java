package dev.msfs.cache;

import dev.msfs.backend.BackendException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * All cached object bytes: one arena of {@code lineCount} lines of {@code lineSize} bytes, each
 * holding one line of one object version ({@link ObjectRef}). It owns the line store, the LRU and
 * the lock-free read; {@link Prefetcher} decides what to fetch ahead.
 *
 * <p><b>Seqlock.</b> A line's generation is even while the line may be served and odd while it is
 * free, being fetched or quarantined; it only grows, so an even value names one content for good.
 * Under {@link #lock}, {@link #makeUnservable} makes it odd before anything of the line changes and
 * {@link #publish} makes it even once the bytes, key and length are in place. A reader takes no
 * lock ({@link #copyIfResident}): even generation, same key, copy, acquire fence, same generation,
 * else the copy may be torn and is read again. The read path is that one method: a miss only
 * makes the line resident ({@link #makeResident}) and loops back to it. Invariant, under the lock:
 * a key in {@link #lineOf} names a line that is either being fetched or servable.
 *
 * <p><b>Fetches</b> are three steps: claim under the lock, fill with it released, end under it
 * (publish, or poison a failed or short fetch: its readers get the error, never its bytes, and the
 * next read fetches again). Readers of a line being fetched wait on that fetch's own completion,
 * which {@link #fill} completes in a {@code finally}: no failure, not even an {@link Error}, leaves
 * a reader waiting.
 *
 * <p><b>Fetcher rule:</b> a {@link LineFetcher} never writes into its destination after it returns
 * or throws. <b>Quarantine rule:</b> the cache does not trust that rule after a failure (a cancelled
 * request may still be delivering body pieces). Each fetcher writes through a view of its line that
 * belongs to an arena of that fetch alone. A failed line leaves the map at once but goes back to
 * the free list only after that arena is closed: closing waits out a copy into the view under way
 * and makes every later one throw, so the request has provably stopped writing before the line is
 * reused. (Closing a shared arena costs a thread handshake, so successful fetches skip it: they
 * have received their whole body.)
 *
 * <p><b>Eviction</b> is least-recently-used with a second chance ({@link SecondChanceLru}).
 */
public class DataCache implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(LineKey[].class);
    /** The failure a fetch ends with when even building its real failure failed (out of memory). */
    private static final BackendException ABORTED = new BackendException(BackendException.Kind.IO, "fetch aborted");

    record LineKey(ObjectRef object, long index) {
    }

    /** One fetch of one line: claimed under the lock, filled outside it, ended under it. */
    static final class Fill {
        final LineKey key;
        final int line;
        final long expected;
        /** The fetcher's view of the line belongs to this arena; closing it revokes the view. */
        final Arena scope = Arena.ofShared();
        /** Completed when the fetch ends: null if the line was published, else why it failed. */
        final CompletableFuture<BackendException> ended = new CompletableFuture<>();

        Fill(LineKey key, int line, long expected) {
            this.key = key;
            this.line = line;
            this.expected = expected;
        }
    }

    private final long lineSize;
    private final int lineCount;
    private final LineFetcher fetcher;
    private final LineArena arena;
    private final MemorySegment memory;

    /** Guards every write below but the referenced marks; lock-free readers read lineOf, keyOf, length and generation. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<LineKey, Integer> lineOf = new ConcurrentHashMap<>();
    private final LineKey[] keyOf;   // written with release semantics (KEYS)
    private final long[] length;     // written with release semantics (LONGS)
    private final long[] generation; // see makeUnservable and publish
    /** The fetch under way per line, or null (the line is free, quarantined or servable). */
    private final Fill[] fillOf;
    private final SecondChanceLru lru;
    private final int[] free;
    private int freeCount;
    /** Completed and replaced whenever a line may be claimed again (readers who found every line busy wait on it). */
    private CompletableFuture<Void> lineClaimable = new CompletableFuture<>();
    private boolean closed;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder fetches = new LongAdder();
    private final LongAdder prefetches = new LongAdder();
    private final LongAdder fetchFailures = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder bytesServed = new LongAdder();

    public DataCache(long lineSize, int lineCount, LineFetcher fetcher) {
        if (lineSize <= 0 || lineSize % 4096 != 0 || lineCount < 1) {
            throw new IllegalArgumentException("cache lines must be a positive multiple of 4096 bytes, at least one line");
        }
        this.lineSize = lineSize;
        this.lineCount = lineCount;
        this.fetcher = fetcher;
        this.arena = new LineArena(lineSize * lineCount, lineSize >= (2 << 20));
        this.memory = arena.segment();
        keyOf = new LineKey[lineCount];
        length = new long[lineCount];
        generation = new long[lineCount];
        fillOf = new Fill[lineCount];
        lru = new SecondChanceLru(lineCount);
        free = new int[lineCount];
        for (int i = lineCount - 1; i >= 0; i--) {
            generation[i] = 1; // free: odd
            free[freeCount++] = i;
        }
    }

    public long lineSize() {
        return lineSize;
    }

    public int lineCount() {
        return lineCount;
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
            LineKey key = new LineKey(object, pos / lineSize);
            boolean hit = true;
            long n;
            while ((n = copyIfResident(key, pos - key.index() * lineSize, dst, done, want - done)) == 0) {
                hit &= !makeResident(key);
            }
            if (hit) {
                hits.increment();
            }
            done += n;
        }
        bytesServed.add(done);
        return done;
    }

    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), waits.sum(), fetches.sum(), prefetches.sum(),
                fetchFailures.sum(), fetchFailures.sum(), retries.sum(), evictions.sum(), bytesServed.sum());
    }

    /** Lines currently servable or being fetched. */
    public int residentLines() {
        return lineOf.size();
    }

    /** Revokes the fetches under way (so none can write into the arena any more), then unmaps it. */
    @Override
    public void close() {
        List<Fill> inFlight = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            lineClaimable(); // readers waiting for room find the cache closed
            for (Fill f : fillOf) {
                if (f != null) {
                    inFlight.add(f);
                }
            }
        } finally {
            lock.unlock();
        }
        inFlight.forEach(f -> revoke(f.scope));
        arena.close();
    }

    /** The one place bytes leave the arena (package-private so a test can act between snapshot and copy). */
    void copyOut(int line, long inLine, MemorySegment dst, long dstOffset, long n) {
        MemorySegment.copy(memory, line * lineSize + inLine, dst, dstOffset, n);
    }

    /** True if the line is servable or being fetched; no lock. */
    boolean holds(LineKey key) {
        return lineOf.containsKey(key);
    }

    /** A claimed fetch for a prefetcher, or null if the line is held already or every line is busy. */
    Fill claimForPrefetch(LineKey key) throws BackendException {
        lock.lock();
        try {
            Fill f = lineOf.containsKey(key) ? null : claim(key);
            if (f != null) {
                prefetches.increment();
            }
            return f;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fills a claimed line with the lock released and ends the fetch, in a {@code finally};
     * returns null if the line was published, else why it was not.
     */
    BackendException fill(Fill f) {
        BackendException failure = ABORTED;
        try {
            long start = f.key.index() * lineSize;
            MemorySegment view = memory.asSlice(f.line * lineSize, f.expected).reinterpret(f.scope, null);
            long got = fetcher.fetch(f.key.object(), start, view);
            failure = got == f.expected ? null : new BackendException(BackendException.Kind.IO,
                    f.key.object().path() + ": short read from the backend (" + got + " of " + f.expected + " bytes)");
        } catch (BackendException e) {
            failure = e;
        } catch (Throwable t) {
            failure = new BackendException(BackendException.Kind.IO, f.key.object().path() + ": " + t, t);
        } finally {
            end(f, failure);
        }
        return failure;
    }

    /** Ends a claimed fetch that will never run (its executor refused it). */
    void abandon(Fill f, String why) {
        end(f, new BackendException(BackendException.Kind.IO, why));
    }

    /** Bytes copied, or 0 if the line is not servable for {@code key} or changed during the copy. No lock. */
    private long copyIfResident(LineKey key, long inLine, MemorySegment dst, long dstOffset, long max) {
        Integer found = lineOf.get(key);
        if (found == null) {
            return 0;
        }
        int line = found;
        long gen = (long) LONGS.getAcquire(generation, line);
        if ((gen & 1) != 0 || !key.equals(KEYS.getAcquire(keyOf, line))) {
            return 0;
        }
        long n = Math.min(max, (long) LONGS.getAcquire(length, line) - inLine); // > 0: published lines are whole
        copyOut(line, inLine, dst, dstOffset, n);
        VarHandle.acquireFence(); // the copy's loads stay before the generation re-read
        if ((long) LONGS.getVolatile(generation, line) != gen) {
            retries.increment(); // evicted or refetched while we copied: the bytes may be torn
            return 0;
        }
        lru.markReferenced(line);
        return n;
    }

    /**
     * Makes {@code key}'s line resident: fetches it, waits for the fetch under way, or (every line
     * busy) waits until a line may be claimed. True if it fetched or waited, false if the line was
     * resident already (a lock-free copy lost a race). Throws the fetch's failure.
     */
    private boolean makeResident(LineKey key) throws BackendException {
        Fill mine = null;
        CompletableFuture<BackendException> theirs = null;
        CompletableFuture<Void> room = null;
        lock.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.IO, "the cache is closed");
            }
            Integer line = lineOf.get(key);
            if (line == null) {
                mine = claim(key);
                room = mine == null ? lineClaimable : null;
                (mine != null ? misses : waits).increment();
            } else if (fillOf[line] != null) {
                waits.increment();
                theirs = fillOf[line].ended;
            } else {
                return false;
            }
        } finally {
            lock.unlock();
        }
        BackendException failure = mine != null ? fill(mine) : theirs != null ? theirs.join() : null;
        if (room != null) {
            room.join();
        }
        if (failure != null) {
            throw new BackendException(failure.kind(), "fetch of " + key.object().path() + " line " + key.index()
                    + " failed: " + failure.getMessage(), failure);
        }
        return true;
    }

    /**
     * Claims a line for {@code key}: a free one, else the least recently used servable one not
     * marked referenced (marked ones get a second chance at the tail); null if every line is being
     * fetched or quarantined. Lock held.
     */
    private Fill claim(LineKey key) throws BackendException {
        if (closed) {
            throw new BackendException(BackendException.Kind.IO, "the cache is closed");
        }
        int line;
        if (freeCount > 0) {
            line = free[--freeCount]; // odd already
        } else if ((line = lru.takeVictim()) >= 0) {
            makeUnservable(line);
            lineOf.remove(keyOf[line]);
            evictions.increment();
        } else {
            return null;
        }
        Fill f = new Fill(key, line, Math.min(lineSize, key.object().size() - key.index() * lineSize));
        KEYS.setRelease(keyOf, line, key);
        LONGS.setRelease(length, line, f.expected);
        fillOf[line] = f;
        lineOf.put(key, line);
        return f;
    }

    /** Publishes or poisons the line, wakes the fetch's waiters, and quarantines a failed line. */
    private void end(Fill f, BackendException failure) {
        lock.lock();
        try {
            fillOf[f.line] = null;
            fetches.increment();
            if (failure == null && !closed) {
                lru.add(f.line);
                publish(f.line);
                lineClaimable();
            } else {
                if (failure != null) {
                    fetchFailures.increment();
                }
                lineOf.remove(f.key); // the next read fetches again, into another line
            }
        } finally {
            lock.unlock();
            f.ended.complete(failure);
        }
        if (failure != null) {
            revoke(f.scope); // the quarantine: from here on the fetcher cannot write into the line
            lock.lock();
            try {
                KEYS.setRelease(keyOf, f.line, null);
                free[freeCount++] = f.line;
                lineClaimable();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Odd: lock-free readers stop serving the line. The release fence keeps every later store (new
     * key, length, and the next fetch's bytes) after this one; the volatile store alone orders only
     * what came before it. Lock held, line servable.
     */
    private void makeUnservable(int line) {
        long g = generation[line];
        assert (g & 1) == 0 : "line " + line + " is not servable";
        LONGS.setVolatile(generation, line, g + 1);
        VarHandle.releaseFence();
    }

    /** Even: servable. A release store, so a reader that acquires it sees the bytes, key and length. Lock held. */
    private void publish(int line) {
        long g = generation[line];
        assert (g & 1) == 1 : "line " + line + " is servable already";
        LONGS.setRelease(generation, line, g + 1);
    }

    /** Wakes the readers waiting for a claimable line. Lock held. */
    private void lineClaimable() {
        lineClaimable.complete(null);
        lineClaimable = new CompletableFuture<>();
    }

    /** Closes a fetch's arena: waits out a copy into its view under way, and fails every later one. */
    private static void revoke(Arena scope) {
        try {
            scope.close();
        } catch (IllegalStateException alreadyClosed) {
            // close() and a failing fetch may both revoke the same fetch
        }
    }
}
