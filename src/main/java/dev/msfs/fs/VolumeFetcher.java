package dev.msfs.fs;

import dev.msfs.backend.Arrivals;
import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.cache.LineFetcher;
import dev.msfs.cache.ObjectRef;
import java.lang.foreign.MemorySegment;

/**
 * Fetches cache lines from the backend of the volume an {@link ObjectRef} names. A line that holds
 * a whole object is read whole, so a store that keeps whole-object checksums verifies it (ranged
 * reads cannot be verified).
 */
final class VolumeFetcher implements LineFetcher {
    private final Namespace namespace;

    VolumeFetcher(Namespace namespace) {
        this.namespace = namespace;
    }

    @Override
    public long fetch(ObjectRef object, long offset, MemorySegment dst) throws BackendException {
        return fetch(object, offset, dst, Arrivals.NONE);
    }

    /** A whole object's read reports nothing before it ends: its checksum is verified first. */
    @Override
    public long fetch(ObjectRef object, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        Backend backend = namespace.volume(object.source()).backend;
        return offset == 0 && dst.byteSize() == object.size()
                ? backend.readWhole(object.path(), object.etag(), dst)
                : backend.read(object.path(), object.etag(), offset, dst, arrivals);
    }
}
