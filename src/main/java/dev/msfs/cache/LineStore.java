package dev.msfs.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cache's lines and what each holds, read without a lock: {@code lineCount} lines of
 * {@code lineSize} bytes in a {@link LineStorage}, a map from {@link LineKey} to line, and per line
 * its key, length, generation and second-chance mark. Writers hold the cache's lock; readers hold nothing.
 *
 * <p><b>The seqlock.</b> A line's generation is even while the line may be served and odd while it
 * is free, being fetched or quarantined; it only grows, so an even value names one content for
 * good. {@link #makeUnservable} makes it odd before anything of the line changes; {@link #publish}
 * makes it even once the bytes, key and length are in place. {@link #copyIfResident} reads an even
 * generation (acquire), checks the key, copies, and re-reads the generation after an acquire
 * fence: a reader that saw any byte, key or length of a later content sees a later generation.
 */
class LineStore implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(LineKey[].class);
    /** What {@link #copyIfResident} returns when the line changed during the copy. */
    static final long TORN = -1;
    /** What {@link #copyIfResident} returns when the line's storage could not be read (it stays as it is). */
    static final long UNREADABLE = -2;

    final long lineSize;
    final int lineCount;
    private final LineStorage storage;
    private final Map<LineKey, Integer> lineOf = new ConcurrentHashMap<>();
    private final LineKey[] keyOf;   // written with release semantics (KEYS)
    private final long[] length;     // written with release semantics (LONGS)
    private final long[] generation; // see makeUnservable and publish
    /** Second-chance marks: set by readers without the lock (a benign race: a hint), cleared under it. */
    private final byte[] referenced;

    /** Lines in memory. */
    LineStore(long lineSize, int lineCount) {
        this(lineSize, lineCount, checked(lineSize, lineCount) ? LineArena.anonymous(lineSize, lineCount) : null);
    }

    LineStore(long lineSize, int lineCount, CacheStorage storage) throws java.io.IOException {
        this(lineSize, lineCount, checked(lineSize, lineCount) ? switch (storage) {
            case CacheStorage.Memory m -> LineArena.anonymous(lineSize, lineCount);
            case CacheStorage.MappedFile f -> LineArena.inFile(f.parent(), lineSize, lineCount);
            case CacheStorage.PerObjectFile f -> ObjectFiles.in(f.parent(), lineSize, lineCount);
        } : null);
    }

    private LineStore(long lineSize, int lineCount, LineStorage storage) {
        this.lineSize = lineSize;
        this.lineCount = lineCount;
        this.storage = storage;
        keyOf = new LineKey[lineCount];
        length = new long[lineCount];
        generation = new long[lineCount];
        referenced = new byte[lineCount];
        java.util.Arrays.fill(generation, 1); // free: odd
    }

    /**
     * Copies up to {@code max} bytes of {@code key}'s line from {@code inLine} into {@code dst};
     * returns the count, 0 if no servable line holds
     * {@code key}, {@link #TORN} if the line changed during the copy (the bytes may be torn), or
     * {@link #UNREADABLE} if its storage failed.
     */
    long copyIfResident(LineKey key, long inLine, MemorySegment dst, long dstOffset, long max) {
        Integer found = lineOf.get(key);
        if (found == null) {
            return 0;
        }
        int line = found;
        long gen = (long) LONGS.getAcquire(generation, line);
        if ((gen & 1) != 0 || !key.equals(KEYS.getAcquire(keyOf, line))) {
            return 0;
        }
        long n = Math.min(max, (long) LONGS.getAcquire(length, line) - inLine);
        if (n <= 0) {
            return TORN; // the length of a later content, read after the old key: the line is changing
        }
        try {
            if (!copyOut(line, key, inLine, dst, dstOffset, n)) {
                return TORN; // the storage let go of the bytes meanwhile: the line is changing
            }
        } catch (CacheStorageException e) {
            return (long) LONGS.getVolatile(generation, line) != gen ? TORN : UNREADABLE;
        }
        VarHandle.acquireFence(); // the copy's loads stay before the generation re-read
        if ((long) LONGS.getVolatile(generation, line) != gen) {
            return TORN;
        }
        if (referenced[line] == 0) { // store only when clear, so warm readers share CPU cache lines read-only
            referenced[line] = 1;
        }
        return n;
    }

    /**
     * Copies {@code n} bytes from {@code inLine} of a line that a fetch of generation
     * {@code fetchGeneration} is still filling, which that fetch has reported final. They are
     * good while the line is still that fetch's, or holds what it published ({@code
     * fetchGeneration + 1}); any later content (the line refetched after a failure, or evicted)
     * has a later generation: then {@link #TORN}. The ordering is {@link #copyIfResident}'s.
     * Throws when the storage cannot read the bytes back.
     */
    long copyArrived(int line, long fetchGeneration, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n)
            throws CacheStorageException {
        if (!copyOut(line, key, inLine, dst, dstOffset, n)) {
            return TORN;
        }
        VarHandle.acquireFence();
        long g = (long) LONGS.getVolatile(generation, line);
        return g == fetchGeneration || g == fetchGeneration + 1 ? n : TORN;
    }

    /** The one place bytes leave the storage (package-private so a test can act between snapshot and copy). */
    boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n) throws CacheStorageException {
        return storage.copyOut(line, key, inLine, dst, dstOffset, n);
    }

    /**
     * Odd: lock-free readers stop serving the line. A volatile store orders only what came before
     * it, so the release fence keeps this thread's later plain stores after it: the next fetch's
     * bytes when this thread fetches the line itself. (A fetch on another thread is ordered after
     * it by the lock and the hand-off to that thread; the key and length are release stores.)
     * Lock held, line servable.
     */
    void makeUnservable(int line) {
        long g = generation[line];
        assert (g & 1) == 0 : "line " + line + " is not servable";
        LONGS.setVolatile(generation, line, g + 1);
        VarHandle.releaseFence();
    }

    /** Even: servable. A release store, so a reader that acquires it sees the bytes, key and length. Lock held. */
    void publish(int line) {
        long g = generation[line];
        assert (g & 1) == 1 : "line " + line + " is servable already";
        LONGS.setRelease(generation, line, g + 1);
    }

    /**
     * The line, unservable, now holds (or is being fetched for) {@code key}, {@code bytes} long.
     * Its generation moves on by two (odd still), so each fetch of a line has a generation of its
     * own, which {@link #copyArrived} tells from the next. Lock held.
     */
    long assign(int line, LineKey key, long bytes) {
        long g = nextFetch(line);
        referenced[line] = 0;
        KEYS.setRelease(keyOf, line, key);
        LONGS.setRelease(length, line, bytes);
        lineOf.put(key, line);
        storage.assigned(line, key);
        return g;
    }

    /** Moves an unservable line's generation on by two, odd still; the line's later stores stay after it. Lock held. */
    private long nextFetch(int line) {
        long g = generation[line];
        assert (g & 1) == 1 : "line " + line + " is servable";
        LONGS.setVolatile(generation, line, g + 2);
        VarHandle.releaseFence(); // as in makeUnservable: the next fetch's bytes, or a storage's release, come after it
        return g + 2;
    }

    /** An evicted line: unservable, and its key no longer leads to it. Lock held, line servable. */
    void evict(int line) {
        makeUnservable(line);
        lineOf.remove(keyOf[line], line);
        storage.released(line, keyOf[line]);
    }

    /**
     * A line whose fetch failed and was revoked: its storage may let go of what it holds (a file's
     * range is punched to a hole). The generation moves on first, so a reader still copying what
     * that fetch reported ({@link #copyArrived}) finds it changed. Lock held.
     */
    void release(int line, LineKey key) {
        nextFetch(line);
        storage.released(line, key);
    }

    /** {@code key} no longer leads to {@code line}, which stays unservable. Lock held. */
    void unmap(LineKey key, int line) {
        lineOf.remove(key, line);
    }

    Integer lineOf(LineKey key) {
        return lineOf.get(key);
    }

    boolean holds(LineKey key) {
        return lineOf.containsKey(key);
    }

    int mapped() {
        return lineOf.size();
    }

    private static boolean checked(long lineSize, int lineCount) {
        if (lineSize <= 0 || lineSize % 4096 != 0 || lineCount < 1) {
            throw new IllegalArgumentException("cache lines must be a positive multiple of 4096 bytes, at least one line");
        }
        return true;
    }

    /** A fetch filled the line, through {@code view}, and writes into it no more (before it is published). */
    void filled(int line, LineKey key, MemorySegment view) {
        storage.filled(line, key, view);
    }

    /** Gives the whole line its storage before a fetch writes into it; throws when it cannot (a full cache disk). */
    void reserve(int line, LineKey key) throws CacheStorageException {
        storage.reserve(line, key);
    }

    String describe() {
        return storage.describe();
    }

    boolean viewsAreMappings() {
        return storage.viewsAreMappings();
    }

    /** A view of the line's first {@code bytes} that lives in {@code scope}, for a fetcher to write. */
    MemorySegment view(int line, LineKey key, long bytes, Arena scope) throws CacheStorageException {
        return storage.view(line, key, bytes, scope);
    }

    boolean marked(int line) {
        return referenced[line] != 0;
    }

    void clearMark(int line) {
        referenced[line] = 0;
    }

    /** Lets go of the storage; a reader still copying is waited out (fetchers' views must be revoked first). */
    @Override
    public void close() {
        storage.close();
    }
}
