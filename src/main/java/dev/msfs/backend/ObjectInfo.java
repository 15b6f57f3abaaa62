package dev.msfs.backend;

/**
 * A directory entry as a backend reports it.
 *
 * @param name      the last path component, never empty and without '/'
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param etag      the object's version tag (unquoted), or "" for directories
 */
public record ObjectInfo(String name, boolean directory, long size, long mtimeMillis, String etag) {
    public static ObjectInfo dir(String name, long mtimeMillis) {
        return new ObjectInfo(name, true, 0, mtimeMillis, "");
    }
}
