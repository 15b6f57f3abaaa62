package dev.msfs.backend;

import java.util.Optional;

/**
 * AIStore's {@code manifest_gen_backend}: listings and directory checks go to another backend
 * (say S3 directly, for a huge bucket), while object HEADs and reads go to the reading backend
 * (AIStore). The listing backend belongs to its own mount directory, which closes it.
 */
public final class RoutedBackend extends ReadsThrough {
    private final Backend listing;

    public RoutedBackend(Backend listing, Backend reading) {
        super(reading);
        this.listing = listing;
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        return listing.list(dir, continuation);
    }

    @Override
    public boolean listsAfter() {
        return listing.listsAfter();
    }

    @Override
    public ListPage listAfter(String dir, String startAfter, String continuation) throws BackendException {
        return listing.listAfter(dir, startAfter, continuation);
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
}
