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

/**
 * A file being written through a writable backend: its bytes so far in a spool file on local disk
 * (off the heap, and as large as the disk allows), appended in order only, and committed as one
 * object by flush, fsync and release. The object is visible to others from its first commit.
 * Guarded by this writer's lock: the kernel may send a write and a flush of one handle at once.
 */
final class Writer {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Writer.class.getName());
    final Inode inode;
    private final Path spool;
    private final FileChannel channel;
    private long size;       // guarded by this
    private boolean dirty;   // guarded by this: bytes (or a truncation) not committed yet
    private boolean closed;  // guarded by this

    /** A new, empty version of {@code inode}'s object: committed even if nothing is written (creat, O_TRUNC). */
    Writer(Inode inode, Path spoolDir) throws IOException {
        this.inode = inode;
        Files.createDirectories(spoolDir);
        this.spool = Files.createTempFile(spoolDir, "msfs-write-", ".part");
        this.channel = FileChannel.open(spool, StandardOpenOption.WRITE, StandardOpenOption.READ);
        this.dirty = true;
    }

    /** Appends {@code data} at {@code offset}, which must be where the file ends: only sequential writes are taken. */
    synchronized long write(long offset, MemorySegment data) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "closed");
        }
        if (offset != size) {
            throw new FsException(Errno.EINVAL, inode.path + ": a write at " + offset + " of a file written up to " + size
                    + " (msfs takes sequential writes only)");
        }
        ByteBuffer b = data.asByteBuffer();
        try {
            while (b.hasRemaining()) {
                channel.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, inode.path + ": cannot spool the write (" + e.getMessage() + ")");
        }
        size += data.byteSize();
        dirty = true;
        return data.byteSize();
    }

    /** Stores what was written as the object, if anything changed since the last commit; the new object, or null. */
    synchronized ObjectInfo commit() throws FsException {
        if (!dirty || closed) {
            return null;
        }
        try {
            ObjectInfo info = inode.volume.backend.put(inode.path, spool);
            dirty = false;
            return info;
        } catch (BackendException e) {
            // EIO whatever the store said: the caller's bytes did not reach it. Logged here with the reason, every time.
            String what = "backend " + inode.volume.config.dirName() + ": write " + inode.path + " failed: " + e.getMessage();
            LOG.warning(what);
            throw new FsException(Errno.EIO, what);
        }
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
            // a spool file left in the spool folder is all that is lost
        }
    }
}
