package dev.msfs.cache;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cache_storage: per-inode-file}: a sparse file per cached object version, in a
 * {@link CacheFolder}; line {@code i} of an object lives at offset {@code i × lineSize} of its file.
 * Only the bytes are on disk: which line holds what stays in {@link LineStore}, in memory.
 * <ul>
 * <li>A fetch reserves its range's blocks ({@code fallocate}), then writes through a shared
 *     mapping of that range made in the fetch's own arena: revoking the fetch unmaps it, as for
 *     the arena (see {@link DataCache}'s quarantine).
 * <li>Readers {@code pread} straight into their buffer, holding nothing but a count on the file
 *     ({@link ObjectFile#enter}), so its descriptor cannot be closed, and its number reused by
 *     another file, under a read; the generation check throws away what a release raced.
 * <li>A released line's blocks go back to the disk ({@code PUNCH_HOLE}); the file goes with its
 *     last line.
 * </ul>
 */
final class ObjectFiles implements LineStorage {
    private final long lineSize;
    private final CacheFolder folder;
    /** The file of each object with a line assigned; readers look up without a lock, writers hold the cache lock. */
    private final Map<ObjectRef, ObjectFile> files = new ConcurrentHashMap<>();
    /** Lines assigned per file. Cache lock held. */
    private final Map<ObjectFile, Integer> lines = new HashMap<>();
    private final ObjectFile[] fileOf; // per line; cache lock held
    private long nextName;             // cache lock held

    private ObjectFiles(long lineSize, int lineCount, CacheFolder folder) {
        this.lineSize = lineSize;
        this.folder = folder;
        this.fileOf = new ObjectFile[lineCount];
    }

    static ObjectFiles in(Path parent, long lineSize, int lineCount) throws IOException {
        return new ObjectFiles(lineSize, lineCount, CacheFolder.create(parent));
    }

    @Override
    public void assigned(int line, LineKey key) {
        ObjectFile f = files.computeIfAbsent(key.object(), o -> new ObjectFile(folder.dir().resolve("o" + nextName++)));
        lines.merge(f, 1, Integer::sum);
        fileOf[line] = f;
    }

    /** Opens the object's file on its first line (creating it), then reserves the line's blocks. */
    @Override
    public void reserve(int line, LineKey key) throws CacheStorageException {
        ObjectFile f = files.get(key.object()); // assigned under the lock before this fetch was handed out
        try {
            Libc.fallocate(f.fd(), key.index() * lineSize, lineSize);
        } catch (ErrnoException e) {
            throw new CacheStorageException("the cache cannot store a line in " + folder.dir() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public MemorySegment view(int line, LineKey key, long bytes, Arena scope) throws CacheStorageException {
        ObjectFile f = files.get(key.object());
        long mapped = (bytes + 4095) & ~4095L;
        try {
            MemorySegment address = Libc.mmap(mapped, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, f.fd(),
                    key.index() * lineSize);
            return address.reinterpret(mapped, scope, s -> Libc.munmap(s, mapped)).asSlice(0, bytes);
        } catch (ErrnoException e) {
            throw new CacheStorageException("the cache cannot map a line of " + f.path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n) {
        ObjectFile f = files.get(key.object());
        if (f == null || !f.enter()) {
            return false;
        }
        try {
            MemorySegment into = dst.asSlice(dstOffset, n);
            if (into.isNative()) {
                return Libc.pread(f.fd, into, key.index() * lineSize + inLine) == n;
            }
            try (Arena staging = Arena.ofConfined()) { // a heap destination (tests): the kernel needs native memory
                MemorySegment tmp = staging.allocate(n);
                boolean whole = Libc.pread(f.fd, tmp, key.index() * lineSize + inLine) == n;
                MemorySegment.copy(tmp, 0, into, 0, n);
                return whole;
            }
        } catch (ErrnoException e) {
            return false;
        } finally {
            f.exit();
        }
    }

    /** Punches the line's blocks out of its file, and closes and deletes the file with its last line. */
    @Override
    public void released(int line, LineKey key) {
        ObjectFile f = fileOf[line];
        fileOf[line] = null;
        if (f == null) {
            return;
        }
        if (lines.merge(f, -1, Integer::sum) == 0) {
            lines.remove(f);
            files.remove(key.object(), f);
            f.retire();
        } else {
            f.punch(key.index() * lineSize, lineSize);
        }
    }

    @Override
    public String describe() {
        return folder.dir() + ", a file per object (cache_storage: per-inode-file)";
    }

    /** Each view is a mapping of its own, unmapped when its fetch's arena closes. */
    @Override
    public boolean viewsAreMappings() {
        return true;
    }

    /** Closes every file and removes the folder (the cache has revoked every fetch first). */
    @Override
    public void close() {
        files.values().forEach(ObjectFile::retire);
        files.clear();
        folder.close();
    }

    /**
     * One object's file, opened on first use. Its descriptor is closed only once no reader is in a
     * {@code pread}: {@code state} counts readers, and its high bit says "retired" (no reader may
     * enter, and the last one out closes).
     */
    static final class ObjectFile {
        private static final long RETIRED = 1L << 62;
        final Path path;
        private final AtomicLong state = new AtomicLong();
        private volatile int fd = -1; // written once, under this object's monitor

        ObjectFile(Path path) {
            this.path = path;
        }

        /** The descriptor, opening (creating) the file the first time. */
        int fd() throws ErrnoException {
            int d = fd;
            if (d >= 0) {
                return d;
            }
            synchronized (this) {
                if (fd < 0) {
                    fd = Libc.open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
                }
                return fd;
            }
        }

        /** A reader may use the descriptor until {@link #exit}; false once the file is retired. */
        boolean enter() {
            long s;
            do {
                s = state.get();
                if ((s & RETIRED) != 0) {
                    return false;
                }
            } while (!state.compareAndSet(s, s + 1));
            return fd >= 0 || exitFalse();
        }

        private boolean exitFalse() {
            exit(); // no line of it was ever filled: nothing to read
            return false;
        }

        void exit() {
            if (state.decrementAndGet() == RETIRED) {
                closeNow();
            }
        }

        void punch(long offset, long length) {
            int d = fd;
            if (d >= 0) {
                try {
                    Libc.punchHole(d, offset, length);
                } catch (ErrnoException e) {
                    // the blocks stay in use until the file goes: less room, never wrong bytes
                }
            }
        }

        /** No new reader; the file is closed and deleted now, or by the last reader out. Idempotent. */
        void retire() {
            long s;
            do {
                s = state.get();
                if ((s & RETIRED) != 0) {
                    return;
                }
            } while (!state.compareAndSet(s, s | RETIRED));
            if (s == 0) {
                closeNow();
            }
        }

        private void closeNow() {
            synchronized (this) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
            try {
                java.nio.file.Files.deleteIfExists(path);
            } catch (IOException e) {
                // the folder goes at exit
            }
        }
    }
}
