package dev.msfs.cache;

import dev.msfs.backend.BackendException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fetches cache lines ahead of sequential readers, each on a virtual thread. It never waits: it
 * skips lines the cache holds (checked without the cache's lock) and stops at the first line it
 * cannot claim. Each open file keeps its own {@link ReadAhead}, which sizes the window.
 */
public final class Prefetcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Prefetcher.class.getName());
    private static final BackendException REFUSED = new BackendException(BackendException.Kind.IO,
            "prefetch not started: msfs is shutting down");

    private final DataCache cache;
    private final int limit;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** @param limit the most lines fetched ahead of one reader (less than the cache's line count) */
    public Prefetcher(DataCache cache, int limit) {
        this.cache = cache;
        this.limit = Math.max(0, Math.min(limit, cache.lineCount() - 1));
    }

    /** After a read of {@code n} bytes at {@code offset} of a file followed by {@code readAhead}: fetches what its window asks for. */
    public void afterRead(ReadAhead readAhead, ObjectRef object, long offset, long n) {
        int ahead = readAhead.after(offset, n, cache.lineSize(), limit);
        if (ahead > 0) {
            prefetch(object, (offset + n - 1) / cache.lineSize() + 1, ahead);
        }
    }

    /** Starts background fetches of up to {@code count} lines (at most the limit) from line {@code first}. */
    public void prefetch(ObjectRef object, long first, int count) {
        long lineSize = cache.lineSize();
        long end = Math.min(first + Math.min(count, limit), (object.size() + lineSize - 1) / lineSize);
        for (long index = first; index < end; index++) {
            LineKey key = new LineKey(object, index);
            if (cache.holds(key)) {
                continue;
            }
            Fill fill;
            try {
                fill = cache.claimForPrefetch(key);
            } catch (BackendException closed) {
                return;
            }
            if (fill == null) {
                return;
            }
            try {
                executor.execute(() -> {
                    BackendException failure = cache.fill(fill);
                    if (failure != null) {
                        LOG.log(Level.FINE, "prefetch failed: {0}", failure.getMessage());
                    }
                });
            } catch (Throwable refusedOrOutOfMemory) { // the claimed fetch must end, or its waiters wait forever
                cache.abandon(fill, REFUSED);
                return;
            }
        }
    }

    /** Stops taking prefetches and waits (briefly) for those under way. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("prefetches still running at close; the cache revokes them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
