package dev.msfs.cache;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The cache's memory, one mapping, page aligned, that the kernel fills page by page on first
 * touch (an {@code Arena.allocate} would zero, and so commit, all of it at mount):
 * <ul>
 * <li>{@link #anonymous} ({@code cache_storage: ram}): private memory, counted as msfs's own;
 * <li>{@link #inFile} ({@code mapped-file}): a shared mapping of a sparse file on local disk, so the
 *     cache may be larger than memory; its pages are page cache, which the kernel writes back and
 *     reclaims under pressure. A store into a page without disk blocks would raise SIGBUS when
 *     the disk is full, so each line's blocks are reserved ({@link #reserve}) before it is filled:
 *     a full disk is then an errno, not a dead JVM.
 * </ul>
 * Closing unmaps it; the shared arena guarantees no thread can touch this segment afterwards. Views
 * reinterpreted into other arenas (the fetchers') are not covered: {@link DataCache} revokes them first.
 */
abstract sealed class LineArena implements LineStorage {
    /** The arena's file in its {@link CacheFolder}. */
    static final String FILE_NAME = "arena";

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    final long lineSize;

    private LineArena(MemorySegment address, long lineSize, long bytes) {
        this.lineSize = lineSize;
        this.memory = address.reinterpret(bytes, arena, s -> Libc.munmap(s, bytes));
    }

    /**
     * No madvise: the system's transparent-huge-page policy applies. MADV_HUGEPAGE, asked for
     * before, made the first touch of each line slower and costlier (defrag "madvise", the usual
     * setting, compacts memory synchronously in the fault): measured in docs/performance.md.
     */
    static LineArena anonymous(long lineSize, int lineCount) {
        long bytes = lineSize * lineCount;
        try {
            MemorySegment address = Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE,
                    Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0);
            return new Anonymous(address, lineSize, bytes);
        } catch (ErrnoException e) {
            throw new IllegalStateException("cannot reserve " + bytes + " bytes for the cache: " + e.getMessage(), e);
        }
    }

    /** A sparse file of {@code bytes} in a new {@link CacheFolder} below {@code parent}, mapped shared. */
    static LineArena inFile(Path parent, long lineSize, int lineCount) throws IOException {
        long bytes = lineSize * lineCount;
        CacheFolder folder = CacheFolder.create(parent);
        Path file = folder.dir().resolve(FILE_NAME);
        int fd = -1;
        try {
            fd = Libc.open(file, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0600);
            Libc.ftruncate(fd, bytes); // sparse: no block is used until a line is reserved
            MemorySegment address = Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            int[] readers = new int[Math.min(lineCount, InFile.READ_DESCRIPTORS)];
            java.util.Arrays.fill(readers, -1);
            try {
                for (int i = 0; i < readers.length; i++) {
                    readers[i] = Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                }
            } catch (ErrnoException e) {
                for (int r : readers) {
                    if (r >= 0) {
                        Libc.close(r);
                    }
                }
                Libc.munmap(address, bytes);
                throw e;
            }
            return new InFile(address, lineSize, bytes, fd, readers, folder);
        } catch (ErrnoException e) {
            if (fd >= 0) {
                Libc.close(fd);
            }
            folder.close();
            throw new IOException("cache_dir_path " + parent + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void assigned(int line, LineKey key) {
        // a line's place in the arena never changes
    }

    @Override
    public MemorySegment view(int line, LineKey key, long bytes, Arena scope) {
        return memory.asSlice(line * lineSize, bytes).reinterpret(scope, null);
    }

    @Override
    public boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n)
            throws CacheStorageException {
        MemorySegment.copy(memory, line * lineSize + inLine, dst, dstOffset, n);
        return true;
    }

    @Override
    public void released(int line, LineKey key) {
        // the next content overwrites it
    }

    /** Unmaps the arena; a reader still copying is waited out, and any later access throws. */
    @Override
    public void close() {
        arena.close();
    }

    private static final class Anonymous extends LineArena {
        Anonymous(MemorySegment address, long lineSize, long bytes) {
            super(address, lineSize, bytes);
        }

        @Override
        public void reserve(int line, LineKey key) {
            // memory: nothing to reserve (MAP_NORESERVE; the kernel commits pages as they are touched)
        }

        @Override
        public String describe() {
            return "memory (cache_storage: ram)";
        }
    }

    private static final class InFile extends LineArena {
        /**
         * Descriptors of the arena file that reads go through, line {@code i}'s through {@code
         * i % n}: the kernel's read-ahead state is per open file, and with one for the whole arena
         * every reader's jump to another line looked random to it.
         */
        static final int READ_DESCRIPTORS = 64;
        private final int fd;
        private final int[] readers;
        private final CacheFolder folder;

        InFile(MemorySegment address, long lineSize, long bytes, int fd, int[] readers, CacheFolder folder) {
            super(address, lineSize, bytes);
            this.fd = fd;
            this.readers = readers;
            this.folder = folder;
        }

        @Override
        public void reserve(int line, LineKey key) throws CacheStorageException {
            try {
                Libc.fallocate(fd, line * lineSize, lineSize); // blocks reserved once stay: a reused line costs no new space
            } catch (ErrnoException e) {
                throw new CacheStorageException("the cache cannot store a line in " + folder.dir() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return folder.dir().resolve(FILE_NAME) + " (cache_storage: mapped-file)";
        }

        /**
         * The fill wrote through the mapping; readers use pread. Unmapping the line's pages from
         * msfs leaves them plain page cache, which the kernel (and a memory cgroup at its limit)
         * reclaims without walking msfs's page tables or shooting down TLBs on every core.
         */
        @Override
        public void filled(int line, LineKey key, MemorySegment view) {
            Libc.unmapPages(view);
        }

        /**
         * Reads with {@code pread} rather than copying from the mapping: once the page cache has
         * let a page go (a cache larger than memory), a copy faults it back 4 KiB at a time and
         * maps it, which cost twice the CPU per byte (bench/cache-storage); a read finds it, or
         * reads it, through the page cache alone. Fills still write through the mapping, which
         * shares that page cache.
         */
        @Override
        public boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n)
                throws CacheStorageException {
            CacheStorageException.readWhole(readers[line % readers.length], folder.dir().resolve(FILE_NAME), line * lineSize + inLine,
                    dst.asSlice(dstOffset, n));
            return true;
        }

        /** Unmaps, then removes the file and its folder. */
        @Override
        public void close() {
            super.close();
            for (int r : readers) {
                Libc.close(r);
            }
            Libc.close(fd);
            folder.close();
        }
    }
}
