package dev.msfs.fuse;

import java.lang.foreign.MemorySegment;

/**
 * The replies {@link FuseAdapter} sends, one per request: libfuse's {@code fuse_reply_*} in a
 * mount ({@link LibfuseReplies}), a recorder in unit tests. Each returns libfuse's result: 0, or
 * -errno when the reply could not be delivered (the request was interrupted, the kernel went
 * away); a lookup counted for an undelivered reply must be forgotten again.
 */
interface Replies {
    int entry(MemorySegment req, MemorySegment entryParam);

    int attr(MemorySegment req, MemorySegment stat, double timeoutSeconds);

    int open(MemorySegment req, MemorySegment fileInfo);

    /** A file created and opened: its entry (a lookup the kernel will FORGET) and its handle. */
    int create(MemorySegment req, MemorySegment entryParam, MemorySegment fileInfo);

    /** How many bytes a write took. */
    int write(MemorySegment req, long count);

    int buf(MemorySegment req, MemorySegment buf, long size);

    int err(MemorySegment req, int errno);

    void none(MemorySegment req);

    int statfs(MemorySegment req, MemorySegment statvfs);

    int xattr(MemorySegment req, long size);

    /** Adds a readdir entry to {@code buf}; returns the space it needs, which fits only if it is at most {@code bufSize}. */
    long addDirentry(MemorySegment req, MemorySegment buf, long bufSize, MemorySegment name, MemorySegment stat, long nextOffset);

    /** As {@link #addDirentry}, for readdirplus; with a NULL {@code buf} it only measures. */
    long addDirentryPlus(MemorySegment req, MemorySegment buf, long bufSize, MemorySegment name, MemorySegment entryParam,
                         long nextOffset);
}
