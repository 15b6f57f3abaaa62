package dev.msfs.cache;

/**
 * One version of one object: cache lines are keyed by it, so a changed object never shares lines
 * with its previous version. The ETag names the version; an object without one (some stores send
 * none) is named by its size and modification time, never an access time.
 *
 * @param source      which backend the object lives in (the cache does not care what that is)
 * @param mtimeMillis the modification time when {@code etag} is empty, else 0 (a listing and a HEAD
 *                    may state the same version's time at different precisions)
 */
public record ObjectRef(int source, String path, String etag, long size, long mtimeMillis) {
    public static ObjectRef of(int source, String path, String etag, long size, long mtimeMillis) {
        return new ObjectRef(source, path, etag, size, etag.isEmpty() ? mtimeMillis : 0);
    }
}
