package dev.msfs.fuse;

import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_loop_cfg_create;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_loop_cfg_destroy;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_loop_cfg_set_clone_fd;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_loop_cfg_set_idle_threads;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_loop_cfg_set_max_threads;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_opt_free_args;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_session_destroy;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_session_exit;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_session_loop_mt;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_session_mount;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_session_new;
import static dev.msfs.fuse.ffi.FuseLowLevel.fuse_session_unmount;

import dev.msfs.fs.FileSystem;
import dev.msfs.fuse.ffi.FuseLowLevel;
import dev.msfs.fuse.ffi.fuse_args;
import dev.msfs.fuse.ffi.fuse_lowlevel_ops;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One mount on libfuse's low-level API: {@link #mount} creates the session and mounts it,
 * {@link #serve} runs the multi-threaded loop until the file system is unmounted or
 * {@link #stop} is called (from any thread, e.g. a shutdown hook), then tears the session down.
 *
 * <p>Stopping: {@code fuse_session_exit} marks the loop to end, and unmounting (lazily, by
 * libfuse as root or through fusermount3) wakes the workers blocked on /dev/fuse. The
 * {@code unmounted} and {@code destroyed} flags, under this object's monitor, make sure only one
 * of {@link #stop} and the end of {@link #serve} unmounts, and that nothing touches the session
 * after it is destroyed.
 */
public final class FuseSession {
    private final Arena arena;
    private final MemorySegment session;
    private final MountOptions options;
    private final CountDownLatch served = new CountDownLatch(1);
    private boolean unmounted; // guarded by this
    private boolean destroyed; // guarded by this: after it, the session pointer is freed memory

    private FuseSession(Arena arena, MemorySegment session, MountOptions options) {
        this.arena = arena;
        this.session = session;
        this.options = options;
    }

    public static FuseSession mount(FileSystem fs, MountOptions options) throws FuseException {
        return mount(fs, options, OpObserver.NONE);
    }

    /** As {@link #mount(FileSystem, MountOptions)}, telling {@code observer} about every request served. */
    public static FuseSession mount(FileSystem fs, MountOptions options, OpObserver observer) throws FuseException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment ops = new FuseAdapter(fs, options, observer, new LibfuseReplies()).opsTable(arena);
            MemorySegment args = fuseArgs(arena, "msfs", "-o", options.fuseOptions());
            MemorySegment se = fuse_session_new(args, ops, fuse_lowlevel_ops.sizeof(), MemorySegment.NULL);
            fuse_opt_free_args(args);
            if (se.equals(MemorySegment.NULL)) {
                throw new FuseException("libfuse refused the session options (" + options.fuseOptions() + ")");
            }
            if (fuse_session_mount(se, arena.allocateFrom(options.mountpoint().toString())) != 0) {
                fuse_session_destroy(se);
                throw new FuseException("cannot mount on " + options.mountpoint()
                        + " (libfuse's reason is printed above; is it an existing, empty directory you may mount on?)");
            }
            return new FuseSession(arena, se, options);
        } catch (FuseException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The libfuse version loaded, as "3.14"; throws if libfuse cannot be loaded. */
    public static String libfuseVersion() {
        int v = FuseLowLevel.fuse_version();
        return v / 100 + "." + v % 100;
    }

    /** Serves requests until unmounted or stopped, then destroys the session. Call once. */
    public void serve() throws FuseException {
        MemorySegment cfg = fuse_loop_cfg_create();
        int rc;
        try {
            fuse_loop_cfg_set_max_threads(cfg, options.threads());
            fuse_loop_cfg_set_idle_threads(cfg, options.threads()); // keep threads (and their buffers) alive
            fuse_loop_cfg_set_clone_fd(cfg, 0);
            rc = fuse_session_loop_mt(session, cfg);
        } finally {
            fuse_loop_cfg_destroy(cfg);
            synchronized (this) {
                unmountOnce();
                fuse_session_destroy(session);
                destroyed = true;
            }
            arena.close();
            served.countDown();
        }
        if (rc != 0 && rc != -FuseLowLevel.EINTR()) { // -EINTR: stopped by a signal
            throw new FuseException("the FUSE loop ended with error " + (-rc));
        }
    }

    /** Ends serving: safe from any thread, any number of times. */
    public synchronized void stop() {
        if (!destroyed) {
            fuse_session_exit(session);
            unmountOnce();
        }
    }

    /** Waits until {@link #serve} has returned; false if it did not within {@code timeout}. */
    public boolean awaitServed(Duration timeout) throws InterruptedException {
        return served.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void unmountOnce() {
        if (!unmounted) {
            unmounted = true;
            fuse_session_unmount(session);
        }
    }

    private static MemorySegment fuseArgs(Arena arena, String... argv) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, argv.length + 1L);
        for (int i = 0; i < argv.length; i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(argv[i]));
        }
        array.setAtIndex(ValueLayout.ADDRESS, argv.length, MemorySegment.NULL);
        MemorySegment args = fuse_args.allocate(arena);
        fuse_args.argc(args, argv.length);
        fuse_args.argv(args, array);
        fuse_args.allocated(args, 0);
        return args;
    }
}
