package dev.msfs.cache;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** The cache could not store a line (its disk is full or failing): the read goes straight to the backend. */
final class CacheStorageException extends IOException {
    CacheStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Fills {@code dst} from {@code file} (open as {@code fd}) at {@code at}, whole, or says why not. */
    static void readWhole(int fd, Object file, long at, MemorySegment dst) throws CacheStorageException {
        try {
            long got = dev.msfs.sys.Libc.pread(fd, dst, at);
            if (got != dst.byteSize()) {
                throw new CacheStorageException("the cache file " + file + " ends early (" + got + " of " + dst.byteSize()
                        + " bytes)", null);
            }
        } catch (dev.msfs.sys.ErrnoException e) {
            throw new CacheStorageException("the cache cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
