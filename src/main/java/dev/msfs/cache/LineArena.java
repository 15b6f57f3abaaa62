package dev.msfs.cache;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

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
abstract sealed class LineArena implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LineArena.class.getName());
    /** The per-mount folder's name starts so, and its file has this name (flock'ed while in use). */
    static final String DIR_PREFIX = "msfs-cache-";
    static final String FILE_NAME = "arena";

    private final Arena arena = Arena.ofShared();
    final MemorySegment memory;
    final long bytes;

    private LineArena(MemorySegment address, long bytes) {
        this.bytes = bytes;
        this.memory = address.reinterpret(bytes, arena, s -> Libc.munmap(s, bytes));
    }

    /** @param hugePages ask for transparent huge pages (a hint), for lines of 2 MiB and more */
    static LineArena anonymous(long bytes, boolean hugePages) {
        try {
            MemorySegment address = Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE,
                    Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1);
            if (hugePages) {
                Libc.adviseQuietly(address, bytes, Libc.MADV_HUGEPAGE);
            }
            return new Anonymous(address, bytes);
        } catch (ErrnoException e) {
            throw new IllegalStateException("cannot reserve " + bytes + " bytes for the cache: " + e.getMessage(), e);
        }
    }

    /**
     * A sparse file of {@code bytes} in a new folder below {@code parent}, mapped shared. Folders
     * left by a killed msfs (their file no longer locked) are removed first.
     */
    static LineArena inFile(Path parent, long bytes) throws IOException {
        if (!Files.isDirectory(parent)) {
            throw new IOException("cache_dir_path " + parent + " is not a directory");
        }
        removeStale(parent);
        Path dir;
        try {
            dir = Files.createTempDirectory(parent, DIR_PREFIX);
        } catch (IOException e) {
            throw new IOException("cache_dir_path " + parent + ": cannot create the cache's folder: " + e, e);
        }
        Path file = dir.resolve(FILE_NAME);
        int fd = -1;
        try {
            fd = Libc.open(file, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0600);
            Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB);
            Libc.ftruncate(fd, bytes); // sparse: no block is used until a line is reserved
            MemorySegment address = Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd);
            return new InFile(address, bytes, fd, dir);
        } catch (ErrnoException e) {
            if (fd >= 0) {
                Libc.close(fd);
            }
            deleteQuietly(dir);
            throw new IOException("cache_dir_path " + parent + ": " + e.getMessage(), e);
        }
    }

    /** Gives the range disk blocks before it is written; throws when it cannot (a full disk). */
    abstract void reserve(long offset, long length) throws IOException;

    /** Where the bytes live, for the log. */
    abstract String describe();

    MemorySegment segment() {
        return memory;
    }

    @Override
    public void close() {
        arena.close();
    }

    private static final class Anonymous extends LineArena {
        Anonymous(MemorySegment address, long bytes) {
            super(address, bytes);
        }

        @Override
        void reserve(long offset, long length) {
            // memory: nothing to reserve (MAP_NORESERVE; the kernel commits pages as they are touched)
        }

        @Override
        String describe() {
            return "memory (cache_storage: ram)";
        }
    }

    private static final class InFile extends LineArena {
        private final int fd;
        private final Path dir;

        InFile(MemorySegment address, long bytes, int fd, Path dir) {
            super(address, bytes);
            this.fd = fd;
            this.dir = dir;
        }

        @Override
        void reserve(long offset, long length) throws IOException {
            Libc.fallocate(fd, offset, length); // blocks reserved once stay: a reused line costs no new space
        }

        @Override
        String describe() {
            return dir.resolve(FILE_NAME) + " (cache_storage: mapped-file)";
        }

        /** Unmaps, then removes the file and its folder. */
        @Override
        public void close() {
            super.close();
            Libc.close(fd);
            deleteQuietly(dir);
        }
    }

    /** Removes the cache folders below {@code parent} whose file no msfs holds locked (left by a killed run). */
    private static void removeStale(Path parent) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, DIR_PREFIX + "*")) {
            for (Path d : dirs) {
                int fd;
                try {
                    fd = Libc.open(d.resolve(FILE_NAME), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
                } catch (ErrnoException e) {
                    continue; // not a cache folder of ours, or not ours to open
                }
                try {
                    Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB);
                } catch (ErrnoException inUse) {
                    continue; // another msfs's live cache
                } finally {
                    Libc.close(fd);
                }
                LOG.info("removing " + d + ", the cache of an msfs that did not exit cleanly");
                deleteQuietly(d);
            }
        } catch (IOException e) {
            LOG.warning("cannot look for stale caches in " + parent + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warning("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
