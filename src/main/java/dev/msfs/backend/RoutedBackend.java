package dev.msfs.backend;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * AIStore's {@code manifest_gen_backend}: listings and directory checks go to another backend
 * (say S3 directly, for a huge bucket), while object HEADs and reads go to the reading backend
 * (AIStore). The listing backend belongs to its own mount directory, which closes it.
 */
public final class RoutedBackend implements Backend {
    private final Backend listing;
    private final Backend reading;

    public RoutedBackend(Backend listing, Backend reading) {
        this.listing = listing;
        this.reading = reading;
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        return listing.list(dir, continuation);
    }

    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        Optional<ObjectInfo> listed = listing.stat(path);
        if (listed.isPresent() && listed.get().directory()) {
            return listed;
        }
        return reading.stat(path);
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        return reading.read(path, etag, offset, dst);
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return reading.read(path, etag, offset, dst, arrivals);
    }

    @Override
    public long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        return reading.readWhole(path, etag, dst);
    }

    @Override
    public SourceMode rootMode() {
        return listing.rootMode();
    }

    @Override
    public String describe() {
        return reading.describe() + ", listed through " + listing.describe();
    }

    /** The store that lists answers the probe: the one that reads is never asked to list (that is the point of it). */
    @Override
    public void probe() throws BackendException {
        listing.probe();
    }

    @Override
    public void close() {
        reading.close();
    }
}
