package dev.msfs.fs;

import dev.msfs.backend.Backend;
import dev.msfs.config.BackendConfig;

/**
 * One backend as mounted: its config, the backend itself, and its directory under the root. A
 * volume removed by a reload keeps serving the files still open on it; its backend is closed
 * when the last of them is released.
 */
final class Volume {
    final int index;
    final BackendConfig config;
    final Backend backend;
    Inode root; // set once when the volume is added, before it is reachable
    final java.util.concurrent.atomic.AtomicInteger openFiles = new java.util.concurrent.atomic.AtomicInteger();
    /** A missing bucket is logged once per volume, not at every lookup. */
    final java.util.concurrent.atomic.AtomicBoolean missingBucketLogged = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean removed; // guarded by this
    private boolean closed;  // guarded by this

    Volume(int index, BackendConfig config, Backend backend) {
        this.index = index;
        this.config = config;
        this.backend = backend;
    }

    /** Marks the volume removed; true if its backend may be closed now (nothing of it is open). */
    synchronized boolean markRemoved() {
        removed = true;
        return closeIfUnused();
    }

    /** Closes the backend once the volume is removed and no file of it is open; true if this call closed it. */
    synchronized boolean closeIfUnused() {
        if (removed && openFiles.get() == 0 && !closed) {
            closed = true;
            backend.close();
            return true;
        }
        return false;
    }

    synchronized void closeNow() {
        if (!closed) {
            closed = true;
            backend.close();
        }
    }
}
