package dev.msfs.cache;

import dev.msfs.backend.BackendException;
import java.lang.foreign.MemorySegment;

/** The cache's only view of the backends: fill {@code dst} with object bytes from {@code offset}. */
@FunctionalInterface
public interface LineFetcher {
    /** @return bytes written; fewer than {@code dst.byteSize()} only if the object ends first */
    long fetch(ObjectRef object, long offset, MemorySegment dst) throws BackendException;
}
