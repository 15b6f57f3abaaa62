package dev.msfs.fs;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * A file being written through a writable backend: its bytes so far in a spool file on local disk
 * (off the heap, in the mount's private spool folder), and committed as one object by flush, fsync
 * and release. Writes go at or past the end (a gap reads as zeros, as a sparse file's); the object
 * is visible to others from its first commit.
 * <p>
 * Locks: this writer's guards the spool, its size and its state (the kernel may send a write and
 * a flush of one handle at once); a commit also holds the inode's, taken after it, so that the
 * commits of every writer of one path are stored and recorded in one order.
 */
final class Writer {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Writer.class.getName());
    /** One PutObject takes at most 5 GiB (S3's limit), and msfs does not upload in parts yet. */
    static final long MAX_SIZE = 5L << 30;
    final Inode inode;
    private final Path spool;
    private final FileChannel channel;
    private long size;          // guarded by this
    private boolean dirty;      // guarded by this: bytes (or a truncation) not committed yet
    private boolean unlinked;   // guarded by this: the path was removed; nothing is committed any more
    private boolean closed;     // guarded by this

    /** A new, empty version of {@code inode}'s object: committed even if nothing is written (creat, O_TRUNC). */
    Writer(Inode inode, Path spoolDir) throws IOException {
        this.inode = inode;
        this.spool = Files.createTempFile(spoolDir, "w-", ".part");
        try {
            this.channel = FileChannel.open(spool, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (IOException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
        this.dirty = true;
    }

    /**
     * Writes {@code data} at {@code offset}, at or past the end (what lies between reads as zeros);
     * a write before the end is EINVAL: the bytes there may be in the store already.
     */
    synchronized long write(long offset, MemorySegment data) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "closed");
        }
        if (offset < size) {
            throw new FsException(Errno.EINVAL, inode.path + ": a write at " + offset + " of a file written up to " + size
                    + " (msfs takes writes at the end only)");
        }
        if (offset + data.byteSize() > MAX_SIZE) {
            throw new FsException(Errno.EFBIG, inode.path + ": past 5 GiB, which one upload takes at most");
        }
        ByteBuffer b = data.asByteBuffer();
        try {
            while (b.hasRemaining()) {
                channel.write(b, offset + b.position());
            }
        } catch (IOException e) {
            try {
                channel.truncate(size); // none of a failed write stays to be uploaded
            } catch (IOException ignored) {
                // the size below still says what counts; the next write would fail the same way
            }
            boolean full = String.valueOf(e.getMessage()).contains("No space left");
            throw new FsException(full ? Errno.ENOSPC : Errno.EIO, inode.path + ": cannot spool the write (" + e.getMessage() + ")");
        }
        size = offset + data.byteSize();
        dirty = true;
        return data.byteSize();
    }

    /** A size at or past the end (truncate up): the gap reads as zeros. */
    synchronized void extendTo(long newSize) throws FsException {
        if (newSize < size) {
            throw new FsException(Errno.ENOTSUP, inode.path + ": objects are written whole; only O_TRUNC truncates");
        }
        if (newSize > size) {
            try {
                channel.write(ByteBuffer.allocate(1), newSize - 1);
            } catch (IOException e) {
                throw new FsException(Errno.EIO, inode.path + ": cannot spool the write (" + e.getMessage() + ")");
            }
            size = newSize;
            dirty = true;
        }
    }

    /**
     * Stores what was written as the object, if anything changed since the last commit, and hands
     * the stored object to {@code stored} under the inode's lock, so that a later commit's result is
     * never replaced by an earlier one's. A failure is EIO, logged with the store's reason.
     */
    synchronized void commit(Consumer<ObjectInfo> stored) throws FsException {
        if (!dirty || closed || unlinked) {
            return;
        }
        synchronized (inode) {
            try {
                channel.force(false); // the upload reads the spool by its name
                stored.accept(inode.volume.backend.put(inode.path, spool));
                dirty = false;
            } catch (BackendException | IOException e) {
                String what = "backend " + inode.volume.config.dirName() + ": write " + inode.path + " failed: " + e.getMessage();
                LOG.warning(what);
                throw new FsException(Errno.EIO, what);
            }
        }
    }

    /** The path was removed while this writer was open: it writes on, and stores nothing. */
    synchronized void unlinked() {
        unlinked = true;
    }

    synchronized long size() {
        return size;
    }

    /** Drops the spool file; what was not committed is lost (the caller committed first, or logged why not). */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            // a spool file left in the mount's spool folder, removed with it
        }
    }
}
