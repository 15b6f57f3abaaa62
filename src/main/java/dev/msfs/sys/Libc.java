package dev.msfs.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few libc calls msfs makes outside libfuse, as plain FFM downcalls (nothing for jextract to
 * generate): file descriptors for what Java's NIO cannot express ({@code O_PATH}, {@code flock},
 * {@code fallocate}) and memory mappings for the cache arena. Each failing call throws
 * {@link ErrnoException} with its errno; none is retried here.
 */
public final class Libc {
    // Linux's generic values, the same on x86-64 and arm64 (asm-generic/fcntl.h, mman-common.h).
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final MethodHandle OPEN = errnoCall("open", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle FTRUNCATE = errnoCall("ftruncate", FunctionDescriptor.of(INT, INT, LONG));
    private static final MethodHandle FALLOCATE = errnoCall("fallocate", FunctionDescriptor.of(INT, INT, INT, LONG, LONG));
    private static final MethodHandle PREAD = errnoCall("pread", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG, LONG));
    private static final MethodHandle FLOCK = errnoCall("flock", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle MMAP = errnoCall("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            LONG, INT, INT, INT, LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, LONG));
    private static final MethodHandle MADVISE = errnoCall("madvise", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, LONG, INT));
    private static final int MADV_DONTNEED = 4;
    private static final MethodHandle GETPAGESIZE = LINKER.downcallHandle(LINKER.defaultLookup().find("getpagesize").orElseThrow(),
            FunctionDescriptor.of(INT));

    private Libc() {
    }

    /** {@code open(2)}; returns the descriptor. */
    public static int open(Path path, int flags, int mode) throws ErrnoException {
        return call("open " + path, (arena, state) -> (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags, mode));
    }

    /** {@code close(2)}, whose failure has nothing to report for the descriptors msfs closes. */
    public static void close(int fd) {
        quietly("close", (arena, state) -> (int) CLOSE.invokeExact(state, fd));
    }

    public static void ftruncate(int fd, long length) throws ErrnoException {
        call("ftruncate", (arena, state) -> (int) FTRUNCATE.invokeExact(state, fd, length));
    }

    /** {@code fallocate(2)} with mode 0: gives the range disk blocks, so a later store into it cannot find the disk full. */
    public static void fallocate(int fd, long offset, long length) throws ErrnoException {
        call("fallocate", (arena, state) -> (int) FALLOCATE.invokeExact(state, fd, 0, offset, length));
    }

    /** {@code fallocate(2)} punching a hole: the range's blocks go back to the disk, the file keeps its size. */
    public static void punchHole(int fd, long offset, long length) throws ErrnoException {
        call("fallocate (punch hole)", (arena, state) -> (int) FALLOCATE.invokeExact(state, fd,
                FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, offset, length));
    }

    /**
     * {@code pread(2)} until {@code dst} is full or the file ends; returns the count. A heap
     * {@code dst} (tests) is read through native memory, which the kernel needs.
     */
    public static long pread(int fd, MemorySegment dst, long offset) throws ErrnoException {
        if (!dst.isNative()) {
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment tmp = staging.allocate(dst.byteSize());
                long got = pread(fd, tmp, offset);
                MemorySegment.copy(tmp, 0, dst, 0, got);
                return got;
            }
        }
        long done = 0;
        while (done < dst.byteSize()) {
            long at = done;
            long[] got = new long[1];
            call("pread", (arena, state) -> {
                got[0] = (long) PREAD.invokeExact(state, fd, dst.asSlice(at), dst.byteSize() - at, offset + at);
                return got[0] < 0 ? -1 : 0;
            });
            if (got[0] == 0) {
                break;
            }
            done += got[0];
        }
        return done;
    }

    public static void flock(int fd, int operation) throws ErrnoException {
        call("flock", (arena, state) -> (int) FLOCK.invokeExact(state, fd, operation));
    }

    /** {@code mmap(2)} at an address of the kernel's choosing; returns the mapping's address. */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) throws ErrnoException {
        MemorySegment[] address = new MemorySegment[1];
        call("mmap of " + length + " bytes", (arena, state) -> {
            address[0] = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
            return address[0].address() == -1L ? -1 : 0; // MAP_FAILED
        });
        return address[0];
    }

    public static void munmap(MemorySegment address, long length) {
        quietly("munmap", (arena, state) -> (int) MUNMAP.invokeExact(state, address, length));
    }

    /**
     * {@code madvise(MADV_DONTNEED)} on a range of a shared file mapping: drops the range's page
     * table entries, so its pages are page cache that this process no longer maps (their data,
     * dirty or not, stays the file's). A hint: its failure changes nothing msfs relies on.
     */
    public static void unmapPages(MemorySegment range) {
        quietly("madvise", (arena, state) -> (int) MADVISE.invokeExact(state, range, range.byteSize(), MADV_DONTNEED));
    }

    /** The kernel's page size: mapping offsets are multiples of it (4 KiB on x86-64; 4, 16 or 64 KiB on arm64). */
    public static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** One downcall: {@code arena} for its arguments, {@code state} for its errno; returns what the call returned. */
    @FunctionalInterface
    private interface Call {
        int invoke(Arena arena, MemorySegment state) throws Throwable;
    }

    /** Runs {@code c}; a negative result throws its errno. */
    private static int call(String what, Call c) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = c.invoke(arena, state);
            if (result < 0) {
                throw new ErrnoException(what, (int) ERRNO.get(state, 0L));
            }
            return result;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** As {@link #call}, for calls whose failure leaves nothing to do. */
    private static void quietly(String what, Call c) {
        try {
            call(what, c);
        } catch (ErrnoException ignored) {
            // nothing to undo or retry
        }
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, options);
    }
}
