package dev.msfs.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where cache lines' bytes live: one arena ({@link LineArena}: memory or a mapped file) or a file
 * per object ({@link ObjectFiles}). {@link LineStore} keeps which line holds what, and the
 * seqlock that makes a copy out of a changing line detectable; a storage only moves bytes.
 */
interface LineStorage extends AutoCloseable {
    /** {@code line} now holds (or is being fetched for) {@code key}. Cache lock held. */
    void assigned(int line, LineKey key);

    /**
     * Gives the line its room (disk blocks) before a fetch fills it; throws when there is none (a
     * full cache disk). On the fetching thread, without the lock.
     */
    void reserve(int line, LineKey key) throws CacheStorageException;

    /** A view of the line's first {@code bytes} that lives in {@code scope}, for a fetcher to write. Fetching thread. */
    MemorySegment view(int line, LineKey key, long bytes, Arena scope) throws CacheStorageException;

    /**
     * Copies {@code n} bytes of the line from {@code inLine} into {@code dst}; false when the line
     * was released meanwhile. Throws when its storage cannot be read (a failing disk). Any thread,
     * no lock: the caller's generation check decides whether the bytes are kept.
     */
    boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n) throws CacheStorageException;

    /**
     * A fetch filled the line through {@code view} (its {@link #view}) and writes into it no more;
     * before it is published. Fetching thread, no lock.
     */
    default void filled(int line, LineKey key, MemorySegment view) {
    }

    /** The line no longer holds {@code key}'s bytes, and no fetch writes into it any more. Cache lock held. */
    void released(int line, LineKey key);

    /** True when a view holds a mapping that only closing its arena releases, so even a successful fetch closes it. */
    default boolean viewsAreMappings() {
        return false;
    }

    /** Where the bytes live, for the log. */
    String describe();

    @Override
    void close();
}
