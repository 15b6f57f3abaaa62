package dev.msfs.fs;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.Upload;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Uploads in parts to abort (again): those whose abort the store refused (it was failing, which is
 * often why they were dropped), and those with a part that may have landed after the first abort.
 * Each is retried in the background at growing intervals until the store takes it or the mount
 * ends, when each gets one last try. Each holds its volume open meanwhile, so a reload that removes
 * the backend does not close it under the retry. An upload never aborted is invisible, but its
 * parts use space until a bucket lifecycle rule removes them; the log says which.
 * <p>
 * Lock: this object's monitor guards {@code pending}, {@code threads} and {@code closed}; aborts
 * are sent outside it.
 */
final class AbortRetries implements AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AbortRetries.class.getName());
    private static final long FIRST_WAIT_MILLIS = 500;
    private static final long LONGEST_WAIT_MILLIS = 30_000;
    private final Consumer<Volume> released;
    private final Set<Pending> pending = new HashSet<>(); // guarded by this
    private final Set<Thread> threads = new HashSet<>();  // guarded by this
    private boolean closed;                                // guarded by this

    private record Pending(String what, Upload upload, Volume volume) {
    }

    /** @param released called when a retry no longer needs its volume (which each holds meanwhile) */
    AbortRetries(Consumer<Volume> released) {
        this.released = released;
    }

    /** Aborts {@code upload} ({@code what}: backend and path, for the log) until the store takes it. */
    void retry(String what, Upload upload, Volume volume) {
        Pending p = new Pending(what, upload, volume);
        volume.openFiles.incrementAndGet();
        Thread t = Thread.ofVirtual().name("msfs-abort-retry").unstarted(() -> retrying(p));
        synchronized (this) {
            if (!closed) {
                pending.add(p);
                threads.add(t);
                t.start();
                return;
            }
        }
        lastTry(p);
    }

    private void retrying(Pending p) {
        long wait = FIRST_WAIT_MILLIS;
        try {
            while (true) {
                Thread.sleep(wait);
                try {
                    p.upload().abort();
                    LOG.info(p.what() + ": the upload dropped earlier is aborted now");
                    settled(p);
                    return;
                } catch (BackendException e) {
                    wait = Math.min(LONGEST_WAIT_MILLIS, wait * 2);
                }
            }
        } catch (InterruptedException e) {
            // closing: close() makes the last try
        } finally {
            synchronized (this) {
                threads.remove(Thread.currentThread());
            }
        }
    }

    private void settled(Pending p) {
        boolean mine;
        synchronized (this) {
            mine = pending.remove(p);
        }
        if (mine) {
            released.accept(p.volume());
        }
    }

    /** Stops retrying, and tries each abort still pending once more (before the backends close). */
    @Override
    public void close() {
        Set<Thread> running;
        synchronized (this) {
            closed = true;
            running = Set.copyOf(threads);
        }
        for (Thread t : running) {
            t.interrupt();
        }
        for (Thread t : running) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Set<Pending> left;
        synchronized (this) {
            left = Set.copyOf(pending);
            pending.clear();
        }
        try (var trying = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) { // at once: each may wait its timeout
            left.forEach(p -> trying.submit(() -> lastTry(p)));
        }
    }

    private void lastTry(Pending p) {
        try {
            p.upload().abort();
        } catch (BackendException e) {
            LOG.warning(p.what() + ": the upload could not be aborted (" + e.getMessage() + "); its parts stay in the store,"
                    + " invisible, until a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them");
        } finally {
            released.accept(p.volume());
        }
    }
}
