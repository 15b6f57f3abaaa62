package dev.msfs.backend;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * One object store (or a stand-in for one) seen as a tree of '/'-separated keys below the
 * backend's prefix. Paths given to and returned from a backend are relative to that prefix, with
 * no leading slash; directory paths are "" (the root) or end with '/'. Implementations are safe
 * for concurrent use and never block without a deadline.
 */
public interface Backend extends AutoCloseable {

    /** One page of the immediate children of {@code dir}; {@code continuation} is null for the first page. */
    ListPage list(String dir, String continuation) throws BackendException;

    /**
     * Whether {@link #listAfter} works: a store that lists from a given name (S3's start-after),
     * so that workers can list ranges of one directory at once.
     */
    default boolean listsAfter() {
        return false;
    }

    /**
     * A page of {@code dir}'s children whose names come after {@code startAfter} in the store's
     * order; {@code continuation} as for {@link #list} (once given, it wins). Only where
     * {@link #listsAfter}.
     */
    default ListPage listAfter(String dir, String startAfter, String continuation) throws BackendException {
        throw new BackendException(BackendException.Kind.IO, describe() + " cannot list from a name");
    }

    /**
     * Whether directory {@code dir} may be read a page at a time, never held whole: its pages give
     * the names in order, and a name given twice (a directory and an object) twice in a row. A
     * listing manifest's sorted directory files do; a live store's pages may hold an object and a
     * directory of the same name far apart, so its directories are read whole to apply the
     * directory-wins rule.
     */
    default boolean pagesInOrder(String dir) {
        return false;
    }

    /**
     * What {@code path} (no trailing slash) is: an object, a directory (some key lies below
     * {@code path + "/"}), or nothing. A directory wins over an object of the same name.
     */
    Optional<ObjectInfo> stat(String path) throws BackendException;

    /**
     * Reads object bytes starting at {@code offset} into {@code dst}, filling it unless the object
     * ends first; returns the number of bytes written. {@code etag}, when not null, is the version
     * the caller expects: a backend that can tell fails with {@link BackendException.Kind#CHANGED}
     * rather than return bytes of another version.
     */
    long read(String path, String etag, long offset, MemorySegment dst) throws BackendException;

    /**
     * {@link #read}, telling {@code arrivals} how far {@code dst} holds final bytes while the read
     * goes on, where the backend can tell (the default cannot: it reports nothing).
     */
    default long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return read(path, etag, offset, dst);
    }

    /**
     * Reads the whole object, whose size is {@code dst.byteSize()}, into {@code dst}. A backend whose
     * store keeps whole-object checksums verifies the bytes against them here (ranged reads cannot be
     * verified); the others read as {@link #read} does.
     */
    default long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        return read(path, etag, 0, dst);
    }

    /** Whether {@link #put} and {@link #delete} work (S3): a backend with readonly: false takes writes then. */
    default boolean writable() {
        return false;
    }

    /**
     * Stores the bytes of {@code file} as the object {@code path}, replacing any, and returns the
     * object as the store now lists it (its new ETag). Only where {@link #writable}.
     */
    default ObjectInfo put(String path, java.nio.file.Path file) throws BackendException {
        throw new BackendException(BackendException.Kind.ACCESS_DENIED, describe() + " takes no writes");
    }

    /** Whether {@link #startUpload} works here (S3); elsewhere a file is stored with one {@link #put} at its commit. */
    default boolean uploadsInParts() {
        return false;
    }

    /**
     * Starts storing the object {@code path} in parts ({@link Upload}), for objects too large for
     * one {@link #put}, or sent while still being written. Only where {@link #writable}; a backend
     * that cannot answers with an exception whose {@link BackendException#status} is 501.
     */
    default Upload startUpload(String path) throws BackendException {
        throw new BackendException(BackendException.Kind.IO, describe() + " takes no uploads in parts", 501, "NotImplemented", null);
    }

    /** Removes the object {@code path} (a folder marker: "dir/"); removing what is not there is no error. Only where {@link #writable}. */
    default void delete(String path) throws BackendException {
        throw new BackendException(BackendException.Kind.ACCESS_DENIED, describe() + " takes no writes");
    }

    /** What the backend reaches, for messages: its type, endpoint and bucket or path. Never a credential. */
    default String describe() {
        return getClass().getSimpleName();
    }

    /**
     * One cheap request that shows whether the store answers (at mount, and for
     * {@code check-config --probe}); throws what it answered.
     */
    default void probe() throws BackendException {
        list("", null);
    }

    /** The permissions of the backend's root itself, where it has its own (see {@link SourceMode}). */
    default SourceMode rootMode() {
        return SourceMode.UNRESTRICTED;
    }

    @Override
    default void close() {
    }
}
