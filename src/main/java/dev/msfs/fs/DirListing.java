package dev.msfs.fs;

import dev.msfs.backend.ObjectInfo;
import java.util.List;
import java.util.Map;

/** A directory's complete listing, sorted by name, taken at one moment; immutable. */
record DirListing(List<ObjectInfo> sorted, Map<String, ObjectInfo> byName, long takenAtNanos) {
    boolean freshAt(long nowNanos, long ttlNanos) {
        return nowNanos - takenAtNanos < ttlNanos;
    }
}
