package dev.msfs.cache;

import java.io.IOException;

/** The cache could not store a line (its disk is full or failing): the read goes straight to the backend. */
final class CacheStorageException extends IOException {
    CacheStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
