package dev.msfs.fs;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.config.UploadSettings;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A file being written through a writable backend: its bytes so far in a spool file on local disk
 * (off the heap, in the mount's private spool folder), committed as one object by flush, fsync
 * and release. Writes go at or past the end (a gap reads as zeros, as a sparse file's). A file
 * that reaches the backend's threshold (or that the write budget needs room from) streams as an
 * upload in parts while it is written ({@link PartStream}); a smaller one is one PutObject at its
 * commit. The object is visible to others from its first commit, never before.
 * <p>
 * Locks: this writer's monitor guards the spool, the state and the stream (the kernel may send a
 * write and a flush of one handle at once); a write may wait for the {@link WriteBudget} while
 * holding it, which is safe because part threads never take it. A commit also holds the inode's,
 * taken after it, so that the commits of every writer of one path are stored and recorded in one
 * order. {@code size} and {@code unlinked} are volatile so that getattr and unlink never wait
 * behind a write that waits for the budget.
 */
final class Writer {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Writer.class.getName());
    /** One PutObject takes at most 5 GiB (S3's limit): the most a backend without uploads in parts takes. */
    static final long MAX_PUT = 5L << 30;
    final Inode inode;
    private final Path spool;
    private final FileChannel channel;
    private final UploadSettings uploads;
    private final WriteBudget budget;
    private final AbortRetries aborts;
    private final AtomicLong held = new AtomicLong(); // this writer's bytes in the budget
    private volatile long size;      // written under this
    private volatile boolean unlinked; // the path was removed; nothing is committed any more
    private boolean dirty;           // guarded by this: bytes (or a truncation) not committed yet
    private boolean closed;          // guarded by this
    private long countedFrom;        // guarded by this: bytes below it were given back to the budget by a commit
    private PartStream stream;       // guarded by this: the upload in parts under way, or null
    private boolean partsRefused;    // guarded by this: the backend or store takes no uploads in parts; commits are one PUT
    private String failed;           // guarded by this: why the file cannot be committed (a part failed, the spool broke)

    /** A new, empty version of {@code inode}'s object: committed even if nothing is written (creat, O_TRUNC). */
    Writer(Inode inode, Path spoolDir, WriteBudget budget, AbortRetries aborts) throws IOException {
        this.inode = inode;
        this.uploads = inode.volume.config.uploads();
        this.budget = budget;
        this.aborts = aborts;
        this.partsRefused = !inode.volume.backend.uploadsInParts();
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
        if (offset < size) {
            throw new FsException(Errno.EINVAL, inode.path + ": a write at " + offset + " of a file written up to " + size
                    + " (msfs takes writes at the end only)");
        }
        long end = offset + data.byteSize();
        long taken = grow(end);
        ByteBuffer b = data.asByteBuffer();
        try {
            while (b.hasRemaining()) {
                channel.write(b, offset + b.position());
            }
        } catch (IOException e) {
            giveBack(taken);
            try {
                channel.truncate(size); // none of a failed write stays to be uploaded
            } catch (IOException again) { // its bytes past the end stay: a later write past them would take them in
                failed = failedTo("write", "the spool file cannot be cut back after a failed write (" + again.getMessage() + ")");
                dropAll();
            }
            boolean full = String.valueOf(e.getMessage()).contains("No space left");
            throw new FsException(full ? Errno.ENOSPC : Errno.EIO, inode.path + ": cannot spool the write (" + e.getMessage() + ")");
        }
        grown(end);
        return data.byteSize();
    }

    /** A size at or past the end (truncate up): the gap reads as zeros. */
    synchronized void extendTo(long newSize) throws FsException {
        if (newSize < size) {
            throw new FsException(Errno.ENOTSUP, inode.path + ": objects are written whole; only O_TRUNC truncates");
        }
        if (newSize > size) {
            long taken = grow(newSize);
            try {
                channel.write(ByteBuffer.allocate(1), newSize - 1);
            } catch (IOException e) {
                giveBack(taken);
                throw new FsException(Errno.EIO, inode.path + ": cannot spool the write (" + e.getMessage() + ")");
            }
            grown(newSize);
        }
    }

    /**
     * Before the file grows to {@code end}: refuses what cannot be stored, starts the upload in
     * parts where the file reaches the threshold (or holds a whole part the budget needs room
     * from), and takes the new bytes from the budget, waiting for uploads to free room; returns
     * the bytes taken.
     */
    private long grow(long end) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "closed");
        }
        if (failed != null) {
            throw new FsException(Errno.EIO, failed);
        }
        long most = partsRefused ? MAX_PUT : uploads.maxObjectBytes();
        if (end > most) {
            throw new FsException(Errno.EFBIG, inode.path + ": past " + most + " bytes, the most one object is stored in"
                    + (most == MAX_PUT ? " (one PUT)" : " (" + UploadSettings.MAX_PARTS + " parts)"));
        }
        long more = end - size;
        if (unlinked) { // stored nowhere: no upload, and nothing for the budget
            return 0;
        }
        if (stream == null && !partsRefused && (end >= uploads.thresholdBytes() || budget.wouldPass(more) && size >= uploads.partBytes())) {
            startStream();
        }
        if (stream != null) {
            stream.queueWhole(size, countedFrom); // whole parts the budget can free before this write waits
        }
        boolean taken;
        try {
            taken = budget.take(more);
        } catch (InterruptedException e) { // not passed on: a FUSE worker's interrupt would close the spool channel
            throw new FsException(Errno.EINTR, inode.path + ": interrupted while waiting for uploads to make room");
        }
        if (!taken) {
            throw new FsException(Errno.EIO, inode.path + ": the mount is going; nothing more is written");
        }
        held.addAndGet(more);
        return more;
    }

    /** Bytes taken for a write that did not happen. */
    private void giveBack(long n) {
        held.addAndGet(-n);
        budget.give(n);
    }

    /** After the file grew to {@code end}: sends the whole parts it now holds. */
    private void grown(long end) {
        size = end;
        dirty = true;
        if (stream != null) {
            stream.queueWhole(end, countedFrom);
            failIfPartFailed();
        }
    }

    private void startStream() throws FsException {
        try {
            stream = new PartStream(inode.volume.backend.startUpload(inode.path), channel, uploads.partBytes(),
                    uploads.partConcurrency(), budget, held);
        } catch (BackendException e) {
            if (e.status() == 501) {
                partsRefused = true;
                LOG.warning("backend " + inode.volume.config.dirName() + ": " + e.getMessage() + "; " + inode.path
                        + " is stored with one PUT at its commit (at most 5 GiB)");
                return;
            }
            throw failure("cannot start the upload of", e);
        }
    }

    /** A part that failed fails the file: the upload is dropped, and every later write and commit is EIO. */
    private void failIfPartFailed() {
        if (stream != null && stream.failure() != null) {
            fail(stream.failure());
        }
    }

    private void fail(BackendException e) {
        failed = failedTo("write", e.getMessage());
        LOG.warning(failed + "; the upload is dropped");
        dropAll();
    }

    /** Nothing written so far is to be stored (the path was removed): as if it had been, for the budget and later commits. */
    private void dropStored() {
        dropAll();
        dirty = false;
        countedFrom = size;
    }

    /** Drops the upload under way and gives back every byte this writer holds: none of it will be stored. */
    private void dropAll() {
        abortStream();
        budget.give(held.getAndSet(0));
    }

    /** "backend B: WHAT PATH failed: WHY", as every failure of this writer is logged and reported. */
    private String failedTo(String what, String why) {
        return "backend " + inode.volume.config.dirName() + ": " + what + " " + inode.path + " failed: " + why;
    }

    private FsException failure(String what, BackendException e) {
        String message = failedTo(what, e.getMessage());
        LOG.warning(message);
        return new FsException(Errno.EIO, message);
    }

    /**
     * Stores what was written as the object, if anything changed since the last commit, and hands
     * the stored object to {@code stored} under the inode's lock, so that a later commit's result is
     * never replaced by an earlier one's. A failure is EIO, logged with the store's reason.
     */
    synchronized void commit(Consumer<ObjectInfo> stored) throws FsException {
        if (failed != null) {
            throw new FsException(Errno.EIO, failed);
        }
        if (closed || unlinked) {
            dropStored();
            return;
        }
        if (!dirty) {
            return;
        }
        try {
            if (stream != null) {
                sendParts();
            }
            synchronized (inode) { // unlink sets unlinked under it: a commit after that stores nothing
                if (unlinked) {
                    dropStored();
                    return;
                }
                if (budget.closed()) {
                    throw new FsException(Errno.EIO, inode.path + ": the mount is going; the file is not stored");
                }
                if (stream != null) {
                    stored.accept(completed()); // only now is the object visible
                } else {
                    channel.force(false); // the upload reads the spool by its name
                    stored.accept(inode.volume.backend.put(inode.path, spool));
                }
            }
        } catch (BackendException e) {
            if (stream != null) {
                fail(e);
                throw new FsException(Errno.EIO, failed);
            }
            throw failure("write", e);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, inode.path + ": cannot read the spool file back (" + e.getMessage() + ")");
        }
        stream = null; // a later write sends the whole file again, in a new upload
        dirty = false;
        countedFrom = size;
        budget.give(held.getAndSet(0));
    }

    /**
     * Completes the upload. A completion that got no answer may still have been taken by the
     * store; the failure says so, rather than claim that nothing was stored.
     */
    private ObjectInfo completed() throws BackendException {
        try {
            return stream.complete(size);
        } catch (BackendException e) {
            if (e.kind() == BackendException.Kind.TIMEOUT || e.status() == 0) {
                throw new BackendException(e.kind(), e.getMessage() + " (the store may have made the object all the same:"
                        + " check it before relying on it)", e.status(), e.code(), e);
            }
            throw e;
        }
    }

    /** Sends the last part and waits for every part, before the inode's lock is taken. */
    private void sendParts() throws BackendException, FsException {
        try {
            stream.sendRest(size, countedFrom);
        } catch (InterruptedException e) { // not passed on: see grow
            fail(new BackendException(BackendException.Kind.IO, "interrupted while its parts were sent"));
            throw new FsException(Errno.EINTR, failed);
        }
    }

    /**
     * The path was removed while this writer was open (or, {@code false}, its removal failed):
     * it writes on, and stores nothing. Set under the inode's lock, so a commit storing right now
     * ends before the caller deletes.
     */
    void unlinked(boolean removed) {
        synchronized (inode) {
            unlinked = removed;
        }
    }

    long size() {
        return size;
    }

    /**
     * Reads what was written so far at {@code offset} (0 bytes at or past the end), without the
     * writer's lock: the spool's bytes below {@code size} are never rewritten. -1 once the writer
     * is closed: its bytes are then the store's, or lost.
     */
    long read(long offset, MemorySegment dst) throws FsException {
        long end = size;
        if (!channel.isOpen()) {
            return -1;
        }
        if (offset >= end || offset < 0) {
            return 0;
        }
        ByteBuffer into = dst.asSlice(0, Math.min(dst.byteSize(), end - offset)).asByteBuffer();
        try {
            while (into.hasRemaining()) {
                if (channel.read(into, offset + into.position()) < 0) {
                    break;
                }
            }
            return into.position();
        } catch (java.nio.channels.ClosedChannelException e) {
            return -1;
        } catch (IOException e) {
            throw new FsException(Errno.EIO, inode.path + ": cannot read the spool file (" + e.getMessage() + ")");
        }
    }

    /** Drops the spool file and any upload under way; what was not committed is lost (the caller committed first, or logged why not). */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        dropAll();
        try {
            channel.close();
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            // a spool file left in the mount's spool folder, removed with it
        }
    }

    private void abortStream() {
        if (stream != null) {
            stream.abort(aborts, "backend " + inode.volume.config.dirName() + ": " + inode.path, inode.volume);
            stream = null;
        }
    }
}
