package dev.msfs.fs;

/**
 * write_deferral_max_bytes: the bytes written to files and not yet in the store, across every
 * writer of the mount. A writer that would pass it waits while uploads that carry budget bytes
 * are in flight, since each frees its bytes when it ends; with none in flight, waiting could
 * never end, so it goes on. Then every writer holds less than one part (a writer starts sending
 * as soon as it holds a whole part, and one that cannot send in parts is the exception), so the
 * most held is the larger of the limit and (writers × part size + one write); a write past the
 * end or a truncate up takes its whole gap at once.
 * <p>
 * Lock: this object's monitor guards every field; waiters are woken whenever an upload ends,
 * bytes are given back, or the mount closes the budget.
 */
final class WriteBudget {
    private final long max;     // 0: no limit
    private long held;          // guarded by this
    private long peak;          // guarded by this
    private int uploading;      // guarded by this: uploads in flight that give back bytes when they end
    private boolean closed;     // guarded by this: the mount is going; nothing more is taken or sent

    WriteBudget(long max) {
        this.max = max;
    }

    /** Whether {@code n} more bytes would pass the limit now. */
    synchronized boolean wouldPass(long n) {
        return max > 0 && held + n > max;
    }

    /**
     * Takes {@code n} bytes, waiting while they would pass the limit and an upload in flight may
     * free some; false (nothing taken) once the budget is closed.
     */
    synchronized boolean take(long n) throws InterruptedException {
        while (!closed && max > 0 && held + n > max && uploading > 0) {
            wait();
        }
        if (closed) {
            return false;
        }
        held += n;
        peak = Math.max(peak, held);
        return true;
    }

    synchronized void give(long n) {
        if (n != 0) {
            held -= n;
            notifyAll();
        }
    }

    synchronized void uploadStarted() {
        uploading++;
    }

    /** An upload started with {@link #uploadStarted} ended (sent or not), and the {@code freed} bytes it carried are given back. */
    synchronized void uploadEnded(long freed) {
        uploading--;
        held -= freed;
        notifyAll();
    }

    /** The mount is going (SIGTERM, unmount): waiting writers fail, and no part or commit starts any more. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean closed() {
        return closed;
    }

    synchronized long held() {
        return held;
    }

    /** The most ever held at once, for metrics and tests. */
    synchronized long peak() {
        return peak;
    }
}
