package dev.msfs.fuse;

import dev.msfs.fuse.ffi.FuseLowLevel;
import java.lang.foreign.MemorySegment;

/** {@link Replies} through libfuse's low-level reply functions. */
final class LibfuseReplies implements Replies {
    @Override
    public int entry(MemorySegment req, MemorySegment entryParam) {
        return FuseLowLevel.fuse_reply_entry(req, entryParam);
    }

    @Override
    public int attr(MemorySegment req, MemorySegment stat, double timeoutSeconds) {
        return FuseLowLevel.fuse_reply_attr(req, stat, timeoutSeconds);
    }

    @Override
    public int open(MemorySegment req, MemorySegment fileInfo) {
        return FuseLowLevel.fuse_reply_open(req, fileInfo);
    }

    @Override
    public int create(MemorySegment req, MemorySegment entryParam, MemorySegment fileInfo) {
        return FuseLowLevel.fuse_reply_create(req, entryParam, fileInfo);
    }

    @Override
    public int write(MemorySegment req, long count) {
        return FuseLowLevel.fuse_reply_write(req, count);
    }

    @Override
    public int buf(MemorySegment req, MemorySegment buf, long size) {
        return FuseLowLevel.fuse_reply_buf(req, buf, size);
    }

    @Override
    public int err(MemorySegment req, int errno) {
        return FuseLowLevel.fuse_reply_err(req, errno);
    }

    @Override
    public void none(MemorySegment req) {
        FuseLowLevel.fuse_reply_none(req);
    }

    @Override
    public int statfs(MemorySegment req, MemorySegment statvfs) {
        return FuseLowLevel.fuse_reply_statfs(req, statvfs);
    }

    @Override
    public int xattr(MemorySegment req, long size) {
        return FuseLowLevel.fuse_reply_xattr(req, size);
    }

    @Override
    public long addDirentry(MemorySegment req, MemorySegment buf, long bufSize, MemorySegment name, MemorySegment stat,
                            long nextOffset) {
        return FuseLowLevel.fuse_add_direntry(req, buf, bufSize, name, stat, nextOffset);
    }

    @Override
    public long addDirentryPlus(MemorySegment req, MemorySegment buf, long bufSize, MemorySegment name,
                                MemorySegment entryParam, long nextOffset) {
        return FuseLowLevel.fuse_add_direntry_plus(req, buf, bufSize, name, entryParam, nextOffset);
    }
}
