package dev.msfs.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The cache's memory: one anonymous private mapping, page aligned, committed by the kernel page by
 * page on first touch (an {@code Arena.allocate} would zero, and so commit, all of it at mount).
 * Closing unmaps it; the shared arena guarantees no thread can touch this segment afterwards. Views
 * reinterpreted into other arenas (the fetchers') are not covered: {@link DataCache} revokes them first.
 */
final class LineArena implements AutoCloseable {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_HUGEPAGE = 14;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = libc("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = libc("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = libc("madvise",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;

    LineArena(long bytes, boolean hugePages) {
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (address.address() == -1L) {
                throw new IllegalStateException("cannot reserve " + bytes + " bytes for the cache (mmap failed)");
            }
            if (hugePages) {
                int ignored = (int) MADVISE.invokeExact(address, bytes, MADV_HUGEPAGE); // best effort
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        memory = address.reinterpret(bytes, arena, s -> unmap(s, bytes));
    }

    MemorySegment segment() {
        return memory;
    }

    @Override
    public void close() {
        arena.close();
    }

    private static void unmap(MemorySegment s, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(s, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }
}
