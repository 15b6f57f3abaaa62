package dev.msfs.fs;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Upload;
import java.nio.channels.FileChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upload in parts of one file while it is written: each part is sent from the spool file on
 * its own virtual thread, at most {@code concurrency} of them at once, and gives back the budget
 * bytes it carried when it ends. Nothing is visible in the store until {@link #complete}; after a
 * failed part no other is sent, and {@link #abort} drops what was.
 * <p>
 * Locks: {@link #queueWhole}, {@link #sendRest}, {@link #complete} and {@link #abort} are called under the writer's
 * monitor, so the part numbers and {@code queuedThrough} need no other; this object's monitor
 * guards {@code sending}, which the part threads count down.
 */
final class PartStream {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PartStream.class.getName());
    private final Upload upload;
    private final FileChannel source;
    private final long partBytes;
    private final Semaphore slots;
    private final WriteBudget budget;
    private final AtomicLong writerHeld; // the writer's bytes in the budget; a part gives back what it carried
    private int parts;                   // guarded by the writer: parts queued
    private long queuedThrough;          // guarded by the writer: the end of the last part queued
    private int sending;                 // guarded by this: parts queued and not ended
    private volatile BackendException failure; // the first part's failure; no later part is sent
    private volatile boolean abandoned;
    private volatile boolean timedOut; // a part was given up on while CRT may still send it: abort once more later

    PartStream(Upload upload, FileChannel source, long partBytes, int concurrency, WriteBudget budget, AtomicLong writerHeld) {
        this.upload = upload;
        this.source = source;
        this.partBytes = partBytes;
        this.slots = new Semaphore(concurrency);
        this.budget = budget;
        this.writerHeld = writerHeld;
    }

    /** Queues every whole part below {@code size}; bytes below {@code countedFrom} are not the budget's. */
    void queueWhole(long size, long countedFrom) {
        while (queuedThrough + partBytes <= size) {
            queue(partBytes, countedFrom);
        }
    }

    BackendException failure() {
        return failure;
    }

    /** Sends the rest (the last part, possibly short) and waits for every part; the first part's failure if one failed. */
    void sendRest(long size, long countedFrom) throws BackendException, InterruptedException {
        if (size > queuedThrough || parts == 0) {
            queue(size - queuedThrough, countedFrom);
        }
        awaitParts();
        if (failure != null) {
            throw failure;
        }
    }

    /** Makes the object of every part sent, once {@link #sendRest} returned: only now is it visible. */
    ObjectInfo complete(long size) throws BackendException {
        return upload.complete(parts, size);
    }

    /**
     * Stops sending, waits for the parts in flight (a part that ended after the abort could be
     * kept by the store), and drops the upload; an abort the store refuses is handed to
     * {@code retries} ({@code what}: backend and path, for the log), as is a second abort after a
     * part that timed out.
     */
    void abort(AbortRetries retries, String what, Volume volume) {
        abandoned = true;
        boolean interrupted = false;
        while (true) {
            try {
                awaitParts();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            upload.abort();
            if (timedOut) { // S3: a part still being received during an abort may be kept; a second abort drops it
                retries.retry(what, upload, volume);
            }
        } catch (BackendException e) {
            LOG.warning(what + ": cannot abort the upload yet (" + e.getMessage() + "); retrying in the background");
            retries.retry(what, upload, volume);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void queue(long length, long countedFrom) {
        int number = ++parts;
        long offset = queuedThrough;
        queuedThrough += length;
        long carried = Math.max(0, queuedThrough - Math.max(offset, countedFrom));
        synchronized (this) {
            sending++;
        }
        if (carried > 0) { // a part that frees nothing (a re-upload after a commit) must not keep budget waiters waiting
            budget.uploadStarted();
        }
        Runnable send = () -> {
            try {
                slots.acquireUninterruptibly();
                try {
                    if (failure == null && !abandoned && !budget.closed()) {
                        upload.part(number, source, offset, length);
                    } else if (failure == null && !abandoned) {
                        failure = new BackendException(BackendException.Kind.IO, "unmounting: part " + number + " not sent");
                    }
                } finally {
                    slots.release();
                }
            } catch (BackendException e) {
                if (failure == null) {
                    failure = e;
                }
                timedOut |= e.kind() == BackendException.Kind.TIMEOUT;
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new BackendException(BackendException.Kind.IO, "part " + number + ": " + e, e);
                }
            } finally {
                ended(carried);
            }
        };
        try {
            Thread.ofVirtual().name("msfs-part-" + number).start(send);
        } catch (RuntimeException | OutOfMemoryError e) {
            failure = new BackendException(BackendException.Kind.IO, "part " + number + " not sent: " + e, e);
            ended(carried);
        }
    }

    /** A part ended: its budget bytes go back, and waiters for the parts wake. */
    private void ended(long carried) {
        writerHeld.addAndGet(-carried);
        if (carried > 0) {
            budget.uploadEnded(carried);
        }
        synchronized (this) {
            sending--;
            notifyAll();
        }
    }

    private synchronized void awaitParts() throws InterruptedException {
        while (sending > 0) {
            wait();
        }
    }
}
