package dev.msfs.cache;

import dev.msfs.backend.Arrivals;
import dev.msfs.backend.BackendException;
import java.lang.foreign.Arena;
import java.util.concurrent.CompletableFuture;

/**
 * One fetch of one cache line: claimed under the cache's lock, filled outside it, ended under it.
 * A reader's own fetch (not a prefetch) reports how far the line holds final bytes while it runs
 * ({@link #arrived}), where the backend can tell, so readers follow the bytes as they land.
 */
final class Fill {
    final LineKey key;
    final int line;
    /** Bytes the line must hold: the line size, less at the end of the object. */
    final long expected;
    /** Started by the prefetcher: a reader that waited on it retries a failure itself. */
    final boolean prefetch;
    /** How long a successful fetch waits to unmap its view (nothing should hold it then). */
    private static final long VIEW_CLOSE_MILLIS = 1_000;
    /** The fetcher's view of the line belongs to this arena alone. */
    private final Arena scope = Arena.ofShared();
    /** Completed when the fetch ends: null if the line was published, else why it failed. */
    final CompletableFuture<BackendException> ended = new CompletableFuture<>();
    /** The line's generation while this fetch fills it. */
    final long generation;
    /**
     * Bytes from the line's start that hold their final content. Written (a volatile store, after
     * the fetcher's own stores of those bytes) under this object's monitor, which waiters wait on.
     */
    private volatile long arrived;

    Fill(LineKey key, int line, long expected, boolean prefetch, long generation) {
        this.key = key;
        this.line = line;
        this.expected = expected;
        this.prefetch = prefetch;
        this.generation = generation;
        ended.whenComplete((failure, never) -> wake());
    }

    /** The fetcher's report: the line's first {@code bytes} are final. */
    private synchronized void reached(long bytes) {
        if (bytes > arrived) {
            arrived = Math.min(bytes, expected);
            notifyAll();
        }
    }

    private synchronized void wake() {
        notifyAll();
    }

    /**
     * Waits until more than {@code inLine} bytes have arrived, or the fetch has ended; returns the
     * bytes arrived (readers take {@link #ended} first: after it, this count means nothing).
     */
    synchronized long awaitBeyond(long inLine) throws InterruptedException {
        while (arrived <= inLine && !ended.isDone()) {
            wait();
        }
        return arrived;
    }

    /** Fetches into the line's view; null if the line is whole, else why not (any throwable becomes that). */
    BackendException run(LineFetcher fetcher, LineStore lines) {
        try {
            lines.reserve(line, key);
            java.lang.foreign.MemorySegment view = lines.view(line, key, expected, scope);
            long got = fetcher.fetch(key.object(), key.index() * lines.lineSize, view, prefetch ? Arrivals.NONE : this::reached);
            if (got != expected) {
                return new BackendException(BackendException.Kind.IO,
                        key.object().path() + ": short read from the backend (" + got + " of " + expected + " bytes)");
            }
            lines.filled(line, key, view); // through the view: the cache's close waits for it like for any use of the view
            if (lines.viewsAreMappings() && !revoke(VIEW_CLOSE_MILLIS)) { // whole: the fetcher is done with it, and the mapping goes
                return new BackendException(BackendException.Kind.IO, key.object().path()
                        + ": the fetch still holds its line after returning; not served"); // the quarantine takes it
            }
            return null;
        } catch (BackendException e) {
            return e;
        } catch (CacheStorageException e) {
            return new BackendException(BackendException.Kind.IO, key.object().path() + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            return new BackendException(BackendException.Kind.IO, key.object().path() + ": " + t, t);
        }
    }

    /**
     * Closes the fetcher's view: waits out a copy into it that is under way (a thread handshake),
     * and makes every later one throw. While an I/O call holds the view (NIO acquires it for a
     * read into a buffer), closing is refused, so this retries until {@code timeoutMillis} pass.
     * True once the view is closed (by this call or an earlier one).
     */
    boolean revoke(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            try {
                scope.close();
                return true;
            } catch (IllegalStateException e) {
                if (!scope.scope().isAlive()) {
                    return true; // closed already: the cache's close() and a failing fetch may both revoke
                }
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }
}
