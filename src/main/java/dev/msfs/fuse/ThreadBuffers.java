package dev.msfs.fuse;

import dev.msfs.fuse.ffi.fuse_entry_param;
import dev.msfs.fuse.ffi.stat;
import dev.msfs.fuse.ffi.statvfs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native scratch memory of one libfuse worker thread, allocated once when the thread first calls
 * up and reused for every reply it builds (libfuse copies a reply out before the call returns).
 * Confined by construction: only the owning thread ever reaches its instance.
 */
final class ThreadBuffers {
    private static final long PAGE = 4096;
    private final Arena arena = Arena.ofAuto();
    private MemorySegment reply;
    final MemorySegment statBuf = arena.allocate(stat.layout());
    final MemorySegment entryBuf = arena.allocate(fuse_entry_param.layout());
    final MemorySegment statvfsBuf = arena.allocate(statvfs.layout());
    private final MemorySegment nameBuf = arena.allocate(1024);

    ThreadBuffers(long replySize) {
        reply = arena.allocate(replySize, PAGE);
    }

    /** The reply buffer, at least {@code size} bytes (grown in the rare case a request exceeds max_read). */
    MemorySegment reply(long size) {
        if (reply.byteSize() < size) {
            reply = arena.allocate(size, PAGE);
        }
        return reply.asSlice(0, size);
    }

    /** {@code text} as a NUL-terminated UTF-8 string in this thread's name buffer. */
    MemorySegment cString(String text) {
        nameBuf.setString(0, text);
        return nameBuf;
    }
}
