package dev.msfs.backend;

import java.nio.channels.FileChannel;

/**
 * An object being stored in parts (S3's multipart upload): nothing is visible to readers until
 * {@link #complete}, and {@link #abort} drops the parts sent so far. Parts may be sent from
 * several threads at once; {@code complete} and {@code abort} come after every part has ended.
 */
public interface Upload {
    /** Sends part {@code number} (1-based): {@code length} bytes of {@code source} from {@code offset}. */
    void part(int number, FileChannel source, long offset, long length) throws BackendException;

    /**
     * Makes the object of parts 1 to {@code parts}, and returns it as the store now lists it; a
     * store that lists another size than {@code size} is an error (and the object is left as made).
     */
    ObjectInfo complete(int parts, long size) throws BackendException;

    /** Drops the upload and its parts; one already gone is no error. */
    void abort() throws BackendException;
}
