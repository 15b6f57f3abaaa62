package dev.msfs.cache;

import dev.msfs.backend.Arrivals;
import dev.msfs.backend.BackendException;
import java.lang.foreign.MemorySegment;

/**
 * The cache's only view of the backends: fill {@code dst} with object bytes from {@code offset}.
 *
 * <p>The fetcher rule: never write into {@code dst} after returning or throwing. A request that is
 * cancelled (a deadline, an interrupt) is waited for, or cut off from {@code dst}, before the fetch
 * ends. The cache enforces the rule after a failure too (see {@link DataCache}'s quarantine).
 */
@FunctionalInterface
public interface LineFetcher {
    /** @return bytes written; fewer than {@code dst.byteSize()} only if the object ends first */
    long fetch(ObjectRef object, long offset, MemorySegment dst) throws BackendException;

    /**
     * {@link #fetch}, telling {@code arrivals} how far {@code dst} holds final bytes while the fetch
     * goes on, where the backend can tell; the default reports nothing.
     */
    default long fetch(ObjectRef object, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return fetch(object, offset, dst);
    }
}
