package dev.msfs.backend;

/**
 * A directory entry as a backend reports it.
 *
 * @param name      the last path component, never empty and without '/'
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param etag      the object's version tag (unquoted), or "" for directories
 * @param source    the file's own permissions, where it has them; the mount never grants more
 */
public record ObjectInfo(String name, boolean directory, long size, long mtimeMillis, String etag, SourceMode source) {
    public ObjectInfo(String name, boolean directory, long size, long mtimeMillis, String etag) {
        this(name, directory, size, mtimeMillis, etag, SourceMode.UNRESTRICTED);
    }

    public static ObjectInfo dir(String name, long mtimeMillis) {
        return new ObjectInfo(name, true, 0, mtimeMillis, "");
    }
}
