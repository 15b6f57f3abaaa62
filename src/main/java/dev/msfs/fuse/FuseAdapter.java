package dev.msfs.fuse;


import dev.msfs.fs.DirEntry;
import dev.msfs.fs.Entry;
import dev.msfs.fs.Errno;
import dev.msfs.fs.FileSystem;
import dev.msfs.fs.FsException;
import dev.msfs.fs.Opened;
import dev.msfs.fuse.ffi.FuseLowLevel;
import dev.msfs.fuse.ffi.fuse_conn_info;
import dev.msfs.fuse.ffi.fuse_forget_data;
import dev.msfs.fuse.ffi.fuse_lowlevel_ops;
import dev.msfs.fuse.ffi.stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code fuse_lowlevel_ops} table: one thin method per operation, each replying exactly once
 * on every path, all policy left to {@link FileSystem}. Upcalls arrive on libfuse's worker
 * threads; none lets an exception reach native code (that would kill the JVM): an
 * {@link FsException} becomes its errno, anything else is logged and answered with EIO.
 */
final class FuseAdapter {
    private static final Logger LOG = Logger.getLogger(FuseAdapter.class.getName());
    /** access(2)'s write bit: fixed by POSIX, and not among the constants jextract generated (fuse.args). */
    private static final int W_OK = 2;

    /** What a request does once its arguments are decoded; it sends the reply itself. */
    @FunctionalInterface
    private interface Handler {
        void handle() throws FsException;
    }

    private final FileSystem fs;
    private final MountOptions options;
    /** fuse_lowlevel.h's FUSE_SET_ATTR_SIZE: a macro the generated bindings do not carry. */
    static final int SET_ATTR_SIZE = 1 << 3;
    private final OpObserver observer;
    private final Replies replies;
    private final ThreadLocal<ThreadBuffers> buffers;

    FuseAdapter(FileSystem fs, MountOptions options, OpObserver observer, Replies replies) {
        this.fs = fs;
        this.options = options;
        this.observer = observer;
        this.replies = replies;
        this.buffers = ThreadLocal.withInitial(() -> new ThreadBuffers(options.maxRead()));
    }

    /** Builds the ops table; the upcall stubs live as long as {@code arena}. */
    MemorySegment opsTable(Arena arena) {
        MemorySegment ops = fuse_lowlevel_ops.allocate(arena);
        ops.fill((byte) 0);
        fuse_lowlevel_ops.init(ops, fuse_lowlevel_ops.init.allocate(this::init, arena));
        fuse_lowlevel_ops.destroy(ops, fuse_lowlevel_ops.destroy.allocate(this::destroy, arena));
        fuse_lowlevel_ops.lookup(ops, fuse_lowlevel_ops.lookup.allocate(this::lookup, arena));
        fuse_lowlevel_ops.forget(ops, fuse_lowlevel_ops.forget.allocate(this::forget, arena));
        fuse_lowlevel_ops.forget_multi(ops, fuse_lowlevel_ops.forget_multi.allocate(this::forgetMulti, arena));
        fuse_lowlevel_ops.getattr(ops, fuse_lowlevel_ops.getattr.allocate(this::getattr, arena));
        fuse_lowlevel_ops.opendir(ops, fuse_lowlevel_ops.opendir.allocate(this::opendir, arena));
        fuse_lowlevel_ops.readdir(ops, fuse_lowlevel_ops.readdir.allocate(this::readdir, arena));
        fuse_lowlevel_ops.readdirplus(ops, fuse_lowlevel_ops.readdirplus.allocate(this::readdirplus, arena));
        fuse_lowlevel_ops.releasedir(ops, fuse_lowlevel_ops.releasedir.allocate(this::releasedir, arena));
        fuse_lowlevel_ops.open(ops, fuse_lowlevel_ops.open.allocate(this::open, arena));
        fuse_lowlevel_ops.read(ops, fuse_lowlevel_ops.read.allocate(this::read, arena));
        fuse_lowlevel_ops.release(ops, fuse_lowlevel_ops.release.allocate(this::release, arena));
        fuse_lowlevel_ops.flush(ops, fuse_lowlevel_ops.flush.allocate(this::flush, arena));
        fuse_lowlevel_ops.statfs(ops, fuse_lowlevel_ops.statfs.allocate(this::statfs, arena));
        fuse_lowlevel_ops.getxattr(ops, fuse_lowlevel_ops.getxattr.allocate(this::getxattr, arena));
        fuse_lowlevel_ops.listxattr(ops, fuse_lowlevel_ops.listxattr.allocate(this::listxattr, arena));
        fuse_lowlevel_ops.access(ops, fuse_lowlevel_ops.access.allocate(this::access, arena));
        // Writes, on backends with readonly: false that take them (FileSystem answers EROFS elsewhere).
        fuse_lowlevel_ops.setattr(ops, fuse_lowlevel_ops.setattr.allocate(this::setattr, arena));
        fuse_lowlevel_ops.create(ops, fuse_lowlevel_ops.create.allocate(this::create, arena));
        fuse_lowlevel_ops.write(ops, fuse_lowlevel_ops.write.allocate(this::write, arena));
        fuse_lowlevel_ops.fsync(ops, fuse_lowlevel_ops.fsync.allocate(this::fsync, arena));
        fuse_lowlevel_ops.mkdir(ops, fuse_lowlevel_ops.mkdir.allocate(this::mkdir, arena));
        fuse_lowlevel_ops.unlink(ops, fuse_lowlevel_ops.unlink.allocate((req, parent, name) ->
                guarded(req, "unlink", parent, () -> {
                    fs.unlink(parent, cString(name));
                    replies.err(req, 0);
                }), arena));
        fuse_lowlevel_ops.rmdir(ops, fuse_lowlevel_ops.rmdir.allocate((req, parent, name) ->
                guarded(req, "rmdir", parent, () -> {
                    fs.rmdir(parent, cString(name));
                    replies.err(req, 0);
                }), arena));
        fuse_lowlevel_ops.rename(ops, fuse_lowlevel_ops.rename.allocate((req, p, n, np, nn, f) ->
                guarded(req, "rename", p, () -> fs.rename(p)), arena));
        // Never: objects have no special files, links or extended attributes to set.
        fuse_lowlevel_ops.mknod(ops, fuse_lowlevel_ops.mknod.allocate((req, parent, name, mode, rdev) -> refuse(req, "mknod", parent), arena));
        fuse_lowlevel_ops.symlink(ops, fuse_lowlevel_ops.symlink.allocate((req, link, parent, name) -> refuse(req, "symlink", parent), arena));
        fuse_lowlevel_ops.link(ops, fuse_lowlevel_ops.link.allocate((req, ino, np, nn) -> refuse(req, "link", ino), arena));
        fuse_lowlevel_ops.setxattr(ops, fuse_lowlevel_ops.setxattr.allocate((req, ino, n, v, s, f) -> refuse(req, "setxattr", ino), arena));
        fuse_lowlevel_ops.removexattr(ops, fuse_lowlevel_ops.removexattr.allocate((req, ino, n) -> refuse(req, "removexattr", ino), arena));
        fuse_lowlevel_ops.fallocate(ops, fuse_lowlevel_ops.fallocate.allocate((req, ino, m, o, l, fi) -> refuse(req, "fallocate", ino), arena));
        return ops;
    }

    private void init(MemorySegment userdata, MemorySegment connPtr) {
        try {
            MemorySegment conn = connPtr.reinterpret(fuse_conn_info.sizeof());
            int capable = fuse_conn_info.capable(conn);
            // ATOMIC_O_TRUNC: O_TRUNC comes with open, so a rewrite is one open, not a setattr first.
            int wanted = FuseLowLevel.FUSE_CAP_ASYNC_READ() | FuseLowLevel.FUSE_CAP_PARALLEL_DIROPS()
                    | FuseLowLevel.FUSE_CAP_READDIRPLUS() | FuseLowLevel.FUSE_CAP_READDIRPLUS_AUTO()
                    | FuseLowLevel.FUSE_CAP_ATOMIC_O_TRUNC();
            fuse_conn_info.want(conn, fuse_conn_info.want(conn) | (wanted & capable));
            // Room for many parallel readers without sysfs tuning after the mount (kernel default: 12/9).
            fuse_conn_info.max_background(conn, options.maxBackground());
            fuse_conn_info.congestion_threshold(conn, options.maxBackground() * 3 / 4);
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "init failed", t);
        }
    }

    /** The session is going away (after unmount): nothing is held that the JVM will not free. */
    private void destroy(MemorySegment userdata) {
        try {
            LOG.fine(() -> "session destroyed with " + fs.openHandles() + " handle(s) still open");
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "destroy failed", t);
        }
    }

    void lookup(MemorySegment req, long parent, MemorySegment namePtr) {
        guarded(req, "lookup", parent, () -> {
            ThreadBuffers b = buffers.get();
            Entry e = fs.lookup(parent, cString(namePtr));
            Structs.fillEntry(b.entryBuf, e);
            if (replies.entry(req, b.entryBuf) != 0 && e.counted()) {
                fs.forget(e.attr().ino(), 1); // the kernel never saw the entry, so it will never FORGET it
            }
        });
    }

    private void forget(MemorySegment req, long ino, long nlookup) {
        try {
            fs.forget(ino, nlookup);
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "forget failed", t);
        }
        replies.none(req);
    }

    private void forgetMulti(MemorySegment req, long count, MemorySegment arrayPtr) {
        try {
            MemorySegment array = arrayPtr.reinterpret(count * fuse_forget_data.sizeof());
            for (long i = 0; i < count; i++) {
                MemorySegment f = fuse_forget_data.asSlice(array, i);
                fs.forget(fuse_forget_data.ino(f), fuse_forget_data.nlookup(f));
            }
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "forget_multi failed", t);
        }
        replies.none(req);
    }

    private void getattr(MemorySegment req, long ino, MemorySegment fi) {
        guarded(req, "getattr", ino, () -> {
            ThreadBuffers b = buffers.get();
            Structs.fillStat(b.statBuf, fs.getattr(ino));
            replies.attr(req, b.statBuf, fs.ttlSeconds());
        });
    }

    private void opendir(MemorySegment req, long ino, MemorySegment fiPtr) {
        guarded(req, "opendir", ino, () -> {
            MemorySegment fi = FileInfo.at(fiPtr);
            FileInfo.setHandle(fi, fs.opendir(ino));
            replies.open(req, fi);
        });
    }

    private void readdir(MemorySegment req, long ino, long size, long offset, MemorySegment fiPtr) {
        guarded(req, "readdir", ino, () -> {
            ThreadBuffers b = buffers.get();
            List<DirEntry> entries = fs.readdir(FileInfo.handle(FileInfo.at(fiPtr)), offset);
            MemorySegment buf = b.reply(size);
            long used = 0;
            int sent = 0;
            for (DirEntry e : entries) {
                Structs.fillDirentStat(b.statBuf, e.ino(), e.directory());
                long need = replies.addDirentry(req, buf.asSlice(used), size - used, b.cString(e.name()), b.statBuf,
                        e.nextOffset());
                if (need > size - used) {
                    break;
                }
                used += need;
                sent++;
            }
            observer.entries("readdir", sent); // before the reply: whoever reads the metrics after the listing sees them
            replies.buf(req, buf, used);
        });
    }

    /**
     * Fills the reply until the buffer is full or an entry fails, then sends what it gathered (an
     * entry that fails first is the reply's error). Every entry in it but "." and ".." counted a
     * lookup; if the reply is not delivered, they are all forgotten again.
     */
    void readdirplus(MemorySegment req, long ino, long size, long offset, MemorySegment fiPtr) {
        guarded(req, "readdirplus", ino, () -> {
            ThreadBuffers b = buffers.get();
            long fh = FileInfo.handle(FileInfo.at(fiPtr));
            MemorySegment buf = b.reply(size);
            long used = 0;
            int sent = 0;
            List<Long> counted = new ArrayList<>();
            for (DirEntry e : fs.readdir(fh, offset)) {
                MemorySegment name = b.cString(e.name());
                // Size first: the entry's lookup is counted only once it surely goes into the reply.
                long need = replies.addDirentryPlus(req, MemorySegment.NULL, 0, name, MemorySegment.NULL, 0);
                if (need > size - used) {
                    break;
                }
                Entry entry;
                try {
                    entry = fs.readdirplusEntry(fh, e);
                } catch (FsException | RuntimeException failure) {
                    if (used == 0) {
                        throw failure;
                    }
                    LOG.log(Level.WARNING, "readdirplus: entry " + e.name() + " failed; sending the entries before it", failure);
                    break;
                }
                Structs.fillEntry(b.entryBuf, entry);
                used += replies.addDirentryPlus(req, buf.asSlice(used), size - used, name, b.entryBuf, e.nextOffset());
                if (entry.counted()) {
                    counted.add(entry.attr().ino());
                }
                sent++;
            }
            observer.entries("readdirplus", sent); // before the reply, as in readdir
            if (replies.buf(req, buf, used) != 0) {
                counted.forEach(i -> fs.forget(i, 1));
            }
        });
    }

    private void releasedir(MemorySegment req, long ino, MemorySegment fiPtr) {
        guarded(req, "releasedir", ino, () -> {
            fs.releasedir(FileInfo.handle(FileInfo.at(fiPtr)));
            replies.err(req, 0);
        });
    }

    void open(MemorySegment req, long ino, MemorySegment fiPtr) {
        guarded(req, "open", ino, () -> {
            MemorySegment fi = FileInfo.at(fiPtr);
            int flags = FileInfo.openFlags(fi);
            boolean writing = (flags & FuseLowLevel.O_ACCMODE()) != FuseLowLevel.O_RDONLY()
                    || (flags & (FuseLowLevel.O_CREAT() | FuseLowLevel.O_TRUNC())) != 0;
            Opened opened = fs.open(ino, writing, (flags & FuseLowLevel.O_TRUNC()) != 0);
            FileInfo.setHandle(fi, opened.fh());
            FileInfo.setBits(fi, (opened.directIo() ? FileInfo.DIRECT_IO : 0) | (opened.keepCache() ? FileInfo.KEEP_CACHE : 0));
            replies.open(req, fi);
        });
    }

    private void read(MemorySegment req, long ino, long size, long offset, MemorySegment fiPtr) {
        guarded(req, "read", ino, () -> {
            MemorySegment buf = buffers.get().reply(size);
            long n;
            try {
                n = fs.read(FileInfo.handle(FileInfo.at(fiPtr)), offset, buf);
            } catch (FsException | RuntimeException e) {
                observer.readSize(false, size);
                throw e;
            }
            observer.readSize(true, n);
            replies.buf(req, buf, n);
        });
    }

    private void release(MemorySegment req, long ino, MemorySegment fiPtr) {
        guarded(req, "release", ino, () -> {
            fs.release(FileInfo.handle(FileInfo.at(fiPtr)));
            replies.err(req, 0);
        });
    }

    /** close(2): a file opened for writing is committed here, so close returns the commit's error. */
    private void flush(MemorySegment req, long ino, MemorySegment fiPtr) {
        guarded(req, "flush", ino, () -> {
            fs.flush(FileInfo.handle(FileInfo.at(fiPtr)));
            replies.err(req, 0);
        });
    }

    private void fsync(MemorySegment req, long ino, int datasync, MemorySegment fiPtr) {
        guarded(req, "fsync", ino, () -> {
            fs.flush(FileInfo.handle(FileInfo.at(fiPtr)));
            replies.err(req, 0);
        });
    }

    void create(MemorySegment req, long parent, MemorySegment namePtr, int mode, MemorySegment fiPtr) {
        guarded(req, "create", parent, () -> {
            MemorySegment fi = FileInfo.at(fiPtr);
            FileSystem.Created c = fs.create(parent, cString(namePtr), (FileInfo.openFlags(fi) & FuseLowLevel.O_EXCL()) != 0);
            FileInfo.setHandle(fi, c.fh());
            FileInfo.setBits(fi, FileInfo.DIRECT_IO); // writes go straight to msfs, in order; no page holds them
            ThreadBuffers b = buffers.get();
            Structs.fillEntry(b.entryBuf, c.entry());
            if (replies.create(req, b.entryBuf, fi) != 0) { // the kernel never saw it: no FORGET, no release will come
                fs.discard(c.fh()); // nothing stored: the caller was told the create failed
                fs.forget(c.entry().attr().ino(), 1);
            }
        });
    }

    private void write(MemorySegment req, long ino, MemorySegment buf, long size, long offset, MemorySegment fiPtr) {
        guarded(req, "write", ino, () -> replies.write(req, fs.write(FileInfo.handle(FileInfo.at(fiPtr)), offset, buf.reinterpret(size))));
    }

    private void mkdir(MemorySegment req, long parent, MemorySegment namePtr, int mode) {
        guarded(req, "mkdir", parent, () -> {
            Entry e = fs.mkdir(parent, cString(namePtr));
            ThreadBuffers b = buffers.get();
            Structs.fillEntry(b.entryBuf, e);
            if (replies.entry(req, b.entryBuf) != 0) {
                fs.forget(e.attr().ino(), 1);
            }
        });
    }

    /** Times, modes and owners are accepted and ignored on writable backends; a size only where it is the file's already. */
    private void setattr(MemorySegment req, long ino, MemorySegment attr, int toSet, MemorySegment fi) {
        guarded(req, "setattr", ino, () -> {
            long size = stat.st_size(attr.reinterpret(stat.sizeof()));
            ThreadBuffers b = buffers.get();
            long fh = fi.address() == 0 ? 0 : FileInfo.handle(FileInfo.at(fi));
            Structs.fillStat(b.statBuf, fs.setattr(ino, fh, (toSet & SET_ATTR_SIZE) != 0, size));
            replies.attr(req, b.statBuf, fs.ttlSeconds());
        });
    }

    private void statfs(MemorySegment req, long ino) {
        guarded(req, "statfs", ino, () -> {
            ThreadBuffers b = buffers.get();
            Structs.fillStatvfs(b.statvfsBuf, fs.statfs());
            replies.statfs(req, b.statvfsBuf);
        });
    }

    private void getxattr(MemorySegment req, long ino, MemorySegment name, long size) {
        guarded(req, "getxattr", ino, () -> {
            fs.getattr(ino);
            replies.err(req, Errno.ENODATA);
        });
    }

    private void listxattr(MemorySegment req, long ino, long size) {
        guarded(req, "listxattr", ino, () -> {
            fs.getattr(ino);
            if (size == 0) {
                replies.xattr(req, 0);
            } else {
                replies.buf(req, MemorySegment.NULL, 0);
            }
        });
    }

    private void access(MemorySegment req, long ino, int mask) {
        guarded(req, "access", ino, () -> {
            fs.access(ino, (mask & W_OK) != 0);
            replies.err(req, 0);
        });
    }

    /** A mutation, refused; counted under its own name, as MSFS counts mkdir, unlink, create, … */
    private void refuse(MemorySegment req, String op, long ino) {
        guarded(req, op, ino, () -> fs.refuseMutation(ino));
    }

    /** Runs one request, answering an errno for a failure; {@code ino} tells the metrics which backend it was about. */
    private void guarded(MemorySegment req, String op, long ino, Handler handler) {
        long t0 = System.nanoTime();
        String backend = fs.backendOf(ino); // before: a release may end the inode's life
        boolean ok = false;
        try {
            handler.handle();
            ok = true;
        } catch (FsException e) {
            replies.err(req, e.errno());
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, op + " failed unexpectedly; answered EIO", t);
            replies.err(req, Errno.EIO);
        }
        try {
            observer.served(op, backend, ok, System.nanoTime() - t0);
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "metrics failed", t);
        }
    }

    private static String cString(MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
