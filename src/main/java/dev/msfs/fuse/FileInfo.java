package dev.msfs.fuse;

import dev.msfs.fuse.ffi.fuse_file_info;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Typed access to {@code struct fuse_file_info}. Its C bitfields are padding in the generated
 * layout, so this helper owns them: in libfuse 3.14 they are single bits of the 32-bit word that
 * follows {@code flags}, LSB first in declaration order (writepage, direct_io, keep_cache, flush,
 * nonseekable, flock_release, cache_readdir, noflush). FileInfoLayoutTest checks these against C.
 */
public final class FileInfo {
    static final long BITS_OFFSET = 4;
    public static final int DIRECT_IO = 1 << 1;
    public static final int KEEP_CACHE = 1 << 2;
    public static final int NONSEEKABLE = 1 << 4;
    public static final int CACHE_READDIR = 1 << 6;

    private FileInfo() {
    }

    /** The struct behind a pointer libfuse passed to an upcall. */
    static MemorySegment at(MemorySegment pointer) {
        return pointer.reinterpret(fuse_file_info.sizeof());
    }

    static int openFlags(MemorySegment fi) {
        return fuse_file_info.flags(fi);
    }

    static long handle(MemorySegment fi) {
        return fuse_file_info.fh(fi);
    }

    static void setHandle(MemorySegment fi, long fh) {
        fuse_file_info.fh(fi, fh);
    }

    /** Sets the given bit flags ({@link #DIRECT_IO}, {@link #KEEP_CACHE}, …), leaving the others as they are. */
    public static void setBits(MemorySegment fi, int bits) {
        fi.set(ValueLayout.JAVA_INT, BITS_OFFSET, fi.get(ValueLayout.JAVA_INT, BITS_OFFSET) | bits);
    }

    public static int bits(MemorySegment fi) {
        return fi.get(ValueLayout.JAVA_INT, BITS_OFFSET);
    }
}
