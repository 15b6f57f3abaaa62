package dev.msfs.cache;

import dev.msfs.backend.BackendException;
import dev.msfs.metrics.MeasuredLock;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * All cached object bytes: lines of object versions ({@link ObjectRef}) in a {@link LineStore},
 * evicted least-recently-used with a second chance ({@link SecondChanceLru}). It owns the lines,
 * the LRU and the fetches; {@link Prefetcher} decides what to fetch ahead.
 *
 * <p><b>One read path:</b> the store's lock-free seqlock copy; a miss only makes the line resident
 * ({@link #makeResident}) and loops back to it. Invariant under {@link #lock}: a key the store maps
 * names a line that is being fetched or servable.
 *
 * <p><b>Fetches</b>: claim under the lock, fill with it released, end under it (publish, or poison
 * a failed or short fetch: its readers get the error, never its bytes). Readers wait on the
 * fetch's own completion, which {@link #fill} completes in a {@code finally}, even on an {@link Error}.
 *
 * <p><b>Following a fetch.</b> A reader's own fetch runs on a thread of its own, and the reader
 * (and any other that needs the line) copies what has arrived as soon as its bytes are there
 * ({@link #follow}), where the backend reports arrivals (a ranged S3 GET does, once the response's
 * ETag vouched for the version; a whole-object read, whose checksum is verified at its end, does
 * not). Bytes that arrived are final and of the version asked for, so a fetch that fails later
 * has served no wrong byte; its line is poisoned from then on, as any failed fetch's.
 *
 * <p><b>Fetcher rule:</b> a {@link LineFetcher} never writes into its destination after it returns
 * or throws. <b>Quarantine rule:</b> the cache does not rely on it after a failure (a cancelled
 * request may still deliver body pieces). A fetcher writes through a view of its line in an arena
 * of that fetch alone; a failed line leaves the map at once but is freed only once that view is
 * revoked ({@link Fill#revoke}), after which no write can land. Successful fetches skip the
 * revocation (a thread handshake): they have received their whole body.
 */
public final class DataCache implements AutoCloseable {
    /** The failure a fetch ends with when even building its real failure failed (out of memory). */
    private static final BackendException ABORTED = new BackendException(BackendException.Kind.IO, "fetch aborted");
    /** How long a revocation may wait for an I/O call that holds a fetcher's view (see {@link Fill#revoke}). */
    private static final long REVOKE_TIMEOUT_MILLIS = 10_000;

    private final LineStore lines;
    private final LineFetcher fetcher;
    /** Runs readers' own fetches, which the readers follow (a virtual thread each: they wait on the network). */
    private final ExecutorService fetches = Executors.newVirtualThreadPerTaskExecutor();
    private final CacheCounters counters = new CacheCounters();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(DataCache.class.getName());
    private volatile boolean storageWarned;

    /** Guards every field below and every change to the line store. */
    private final MeasuredLock lock = new MeasuredLock("cache");
    /** The fetch under way or quarantined per line (not yet revoked after a failure), or null (free or servable). */
    private final Fill[] fillOf;
    private final SecondChanceLru lru;
    private final int[] free;
    private int freeCount;
    /** Completed and replaced whenever a line may be claimed again (readers who found every line busy wait on it). */
    private CompletableFuture<Void> lineClaimable = new CompletableFuture<>();
    private boolean closed;

    /** A cache in memory. */
    public DataCache(long lineSize, int lineCount, LineFetcher fetcher) {
        this(new LineStore(lineSize, lineCount), fetcher);
    }

    /** A cache whose lines live where {@code storage} says; throws when that place cannot hold them. */
    public static DataCache create(long lineSize, int lineCount, CacheStorage storage, LineFetcher fetcher) throws java.io.IOException {
        return new DataCache(new LineStore(lineSize, lineCount, storage), fetcher);
    }

    DataCache(LineStore lines, LineFetcher fetcher) {
        this.lines = lines;
        this.fetcher = fetcher;
        fillOf = new Fill[lines.lineCount];
        lru = new SecondChanceLru(lines);
        free = new int[lines.lineCount];
        for (int i = lines.lineCount - 1; i >= 0; i--) {
            free[freeCount++] = i;
        }
    }

    public long lineSize() {
        return lines.lineSize;
    }

    public int lineCount() {
        return lines.lineCount;
    }

    /**
     * Copies object bytes from {@code offset} into {@code dst} (up to its size, less at the end of
     * the object); returns the count. Throws the fetch's failure if a needed line cannot be fetched.
     */
    public long read(ObjectRef object, long offset, MemorySegment dst) throws BackendException {
        long want = Math.max(0, Math.min(dst.byteSize(), object.size() - offset));
        long done = 0;
        try {
            while (done < want) {
                long pos = offset + done;
                done += readLine(new LineKey(object, pos / lines.lineSize), pos, dst, done, want - done);
            }
        } catch (IllegalStateException unmapped) { // a reader still copying when the cache closed
            throw new BackendException(BackendException.Kind.IO, "the cache is closed", unmapped);
        }
        counters.bytesServed.add(done);
        return done;
    }

    /** Copies from one line (at most to its end); see {@link #read}. */
    private long readLine(LineKey key, long pos, MemorySegment dst, long dstOffset, long max) throws BackendException {
        boolean hit = true;
        long inLine = pos - key.index() * lines.lineSize;
        long n;
        while ((n = lines.copyIfResident(key, inLine, dst, dstOffset, max)) <= 0) {
            if (n == LineStore.UNREADABLE) { // the cache disk failed under a resident line: the backend still has it
                return readUncached(key, pos, dst, dstOffset, max, new BackendException(BackendException.Kind.IO,
                        key.object().path() + ": the cache cannot read a line back from its storage"));
            }
            if (n == LineStore.TORN) {
                counters.retries.increment(); // evicted or refetched while we copied
            }
            try {
                Miss miss = makeResident(key);
                if (miss != null) {
                    hit = false;
                    if (miss.fetch() != null && (n = follow(miss.fetch(), inLine, dst, dstOffset, max)) > 0) {
                        return n;
                    }
                }
            } catch (BackendException e) {
                if (!causedBy(e, CacheStorageException.class)) {
                    throw e;
                }
                return readUncached(key, pos, dst, dstOffset, max, e);
            }
        }
        if (hit) {
            counters.hits.increment();
        }
        return n;
    }

    /**
     * A line the cache cannot store or read back (its disk full or failing) is read straight from the backend
     * into {@code dst}, which belongs to this reader alone: the lines already cached keep serving,
     * and nothing half-written is ever served from the cache.
     */
    private long readUncached(LineKey key, long pos, MemorySegment dst, long dstOffset, long max, BackendException why)
            throws BackendException {
        if (!storageWarned) {
            storageWarned = true; // a benign race: at worst logged twice
            LOG.warning(why.getMessage() + "; lines not cached yet are read straight from the backend until it can"
                    + " (logged once, counted in msfs_cache_uncached_reads_total)");
        }
        counters.uncachedReads.increment();
        long n = Math.min(max, (key.index() + 1) * lines.lineSize - pos);
        long got = fetcher.fetch(key.object(), pos, dst.asSlice(dstOffset, n));
        if (got != n) {
            throw new BackendException(BackendException.Kind.IO, key.object().path() + ": short read from the backend ("
                    + got + " of " + n + " bytes)");
        }
        return n;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** The cache's lock, whose holds the endpoint's /locks and /hang report. */
    public MeasuredLock measuredLock() {
        return lock;
    }

    /** Where the lines live, for the log. */
    public String storage() {
        return lines.describe();
    }

    public CacheStats stats() {
        return counters.snapshot();
    }

    /** Lines currently servable or being fetched. */
    public int residentLines() {
        return lines.mapped();
    }

    /**
     * Revokes the fetches under way or quarantined (so none can write into the arena any more),
     * then unmaps it; if one cannot be revoked in time, the arena stays mapped (memory, never a crash).
     */
    @Override
    public void close() {
        fetches.shutdownNow(); // readers' fetches under way are revoked below, with the others
        List<Fill> inFlight = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
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
        for (Fill f : inFlight) {
            if (!f.revoke(REVOKE_TIMEOUT_MILLIS)) {
                LOG.warning(
                        "a fetch of " + f.key.object().path() + " still holds its cache line; leaving the cache memory mapped");
                return;
            }
        }
        lines.close();
    }

    /**
     * Drops every servable line now (MSFS's /drain); lines being fetched stay. A reader copying one
     * finds its generation changed and reads it again, from the backend. Returns the lines dropped.
     */
    public int drain() {
        lock.lock();
        try {
            int dropped = 0;
            for (int line; (line = lru.takeVictim()) >= 0; dropped++) {
                lines.evict(line);
                free[freeCount++] = line;
            }
            lineClaimable();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** True if the line is servable or being fetched; no lock. */
    boolean holds(LineKey key) {
        return lines.holds(key);
    }

    /** A claimed fetch for a prefetcher, or null if the line is held already or every line is busy. */
    Fill claimForPrefetch(LineKey key) throws BackendException {
        lock.lock();
        try {
            Fill f = lines.holds(key) ? null : claim(key, true);
            if (f != null) {
                counters.prefetches.increment();
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
            failure = f.run(fetcher, lines);
        } finally {
            end(f, failure);
        }
        return failure;
    }

    /** Ends a claimed fetch that will never run (its executor refused it). */
    void abandon(Fill f, BackendException why) {
        end(f, why);
    }

    /** What a reader's miss came to: the fetch of its line to {@link #follow}, or none (it waited for a line to claim). */
    private record Miss(Fill fetch) {
    }

    private static final Miss WAITED_FOR_ROOM = new Miss(null);

    /**
     * Makes {@code key}'s line resident: starts its fetch, or finds the fetch under way, for the
     * reader to follow; or (every line busy) waits until a line may be claimed. Null when the line
     * was resident already (a lock-free copy lost a race).
     */
    private Miss makeResident(LineKey key) throws BackendException {
        Fill mine;
        CompletableFuture<Void> room;
        lock.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.IO, "the cache is closed");
            }
            Integer line = lines.lineOf(key);
            if (line != null) {
                if (fillOf[line] == null) {
                    return null;
                }
                counters.waits.increment();
                return new Miss(fillOf[line]);
            }
            mine = claim(key, false);
            room = mine == null ? lineClaimable : null;
            (mine != null ? counters.misses : counters.waits).increment();
        } finally {
            lock.unlock();
        }
        if (room != null) {
            room.join();
            return WAITED_FOR_ROOM;
        }
        try {
            fetches.execute(() -> fill(mine));
        } catch (Throwable refusedOrOutOfMemory) { // the claimed fetch must end, or its followers wait forever
            abandon(mine, new BackendException(BackendException.Kind.IO, "the cache is closed"));
        }
        return new Miss(mine);
    }

    /**
     * Copies the reader's bytes from the line {@code f} is fetching as soon as they have arrived;
     * returns 0 once the fetch has ended and published the line (the caller copies from it), or, a
     * prefetch, failed (the caller fetches again: a prefetch's failure, or its cancellation at
     * shutdown, is not this reader's). Throws the failure of a reader's fetch.
     */
    private long follow(Fill f, long inLine, MemorySegment dst, long dstOffset, long max) throws BackendException {
        while (true) {
            long arrived;
            try {
                arrived = f.awaitBeyond(inLine);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.IO, f.key.object().path() + ": interrupted");
            }
            if (f.ended.isDone()) {
                BackendException failure = f.ended.join();
                if (failure != null && !f.prefetch) {
                    throw new BackendException(failure.kind(), "fetch of " + f.key.object().path() + " line " + f.key.index()
                            + " failed: " + failure.getMessage(), failure.status(), failure.code(), failure);
                }
                return 0;
            }
            long n;
            try {
                n = lines.copyArrived(f.line, f.generation, f.key, inLine, dst, dstOffset, Math.min(max, arrived - inLine));
            } catch (CacheStorageException e) { // the reader reads around the cache (see readLine)
                throw new BackendException(BackendException.Kind.IO, f.key.object().path() + ": " + e.getMessage(), e);
            }
            if (n > 0) {
                counters.readsWhileFetching.increment();
                return n;
            }
            f.ended.join(); // the line moved on, which only the end of its fetch allows: that end decides
        }
    }

    /**
     * Claims a line for {@code key}: a free one, else the LRU's victim; null if every line is
     * being fetched or quarantined. Lock held.
     */
    private Fill claim(LineKey key, boolean prefetch) throws BackendException {
        if (closed) {
            throw new BackendException(BackendException.Kind.IO, "the cache is closed");
        }
        int line;
        if (freeCount > 0) {
            line = free[--freeCount]; // unservable already
        } else if ((line = lru.takeVictim()) >= 0) {
            lines.evict(line);
            counters.evictions.increment();
        } else {
            return null;
        }
        try {
            long expected = Math.min(lines.lineSize, key.object().size() - key.index() * lines.lineSize);
            Fill f = new Fill(key, line, expected, prefetch, lines.assign(line, key, expected));
            fillOf[line] = f;
            return f;
        } catch (Throwable t) { // out of memory: the line goes back, unservable and unmapped
            lines.unmap(key, line);
            free[freeCount++] = line;
            throw t;
        }
    }

    /**
     * Publishes or poisons the line and wakes the fetch's waiters. A failed line stays registered
     * (so close() revokes it too) until its view is revoked; only then is it freed. State changes
     * come before anything that may allocate, so even an out-of-memory leaves it consistent.
     */
    private void end(Fill f, BackendException failure) {
        lock.lock();
        try {
            if (failure == null && !closed) {
                lru.add(f.line);
                lines.publish(f.line);
                fillOf[f.line] = null;
            } else {
                lines.unmap(f.key, f.line); // the next read fetches again, into another line
                if (failure == null) {
                    fillOf[f.line] = null; // closed meanwhile: complete, and never served
                }
            }
            lineClaimable();
            counters.fetches.increment();
            if (failure != null) {
                counters.fetchFailures.increment();
            }
        } finally {
            lock.unlock();
            f.ended.complete(failure);
        }
        if (failure != null && f.revoke(REVOKE_TIMEOUT_MILLIS)) { // the quarantine
            lock.lock();
            try {
                fillOf[f.line] = null;
                lines.release(f.line, f.key);
                free[freeCount++] = f.line;
                lineClaimable();
            } finally {
                lock.unlock();
            }
        }
        // else: an I/O call still holds the view; the line stays quarantined for good (less room, never wrong bytes)
    }

    /** Wakes the readers waiting for a claimable line. Lock held. */
    private void lineClaimable() {
        lineClaimable.complete(null);
        lineClaimable = new CompletableFuture<>();
    }
}
