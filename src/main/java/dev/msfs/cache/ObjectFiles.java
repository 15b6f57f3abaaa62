package dev.msfs.cache;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code cache_storage: per-inode-file}: a sparse file per cached object version, in a
 * {@link CacheFolder}; line {@code i} of an object lives at offset {@code i × lineSize} of its file.
 * Only the bytes are on disk: which line holds what stays in {@link LineStore}, in memory.
 * <ul>
 * <li>A fetch reserves its range's blocks ({@code fallocate}), then writes through a shared
 *     mapping of that range made in the fetch's own arena: revoking the fetch unmaps it, as for
 *     the arena (see {@link DataCache}'s quarantine).
 * <li><b>One range, one line.</b> A range of a file belongs to at most one cache line. While a
 *     failed fetch of a range is quarantined (its late writes may still land), a new line for the
 *     same bytes goes to a new file of that object, so neither those writes nor the failed line's
 *     hole punch can reach it.
 * <li>Readers {@code pread} straight into their buffer, holding nothing but a count on their
 *     line's file ({@link ObjectFile#enter}), so its descriptor cannot be closed, and its number
 *     reused by another file, under a read; the generation check throws away what a release raced.
 * <li>A released line's blocks go back to the disk ({@code PUNCH_HOLE}); the file goes with its
 *     last line.
 * </ul>
 */
final class ObjectFiles implements LineStorage {
    private final long lineSize;
    private final int pageSize;
    private final CacheFolder folder;
    /** The file new lines of each object go to. Cache lock held. */
    private final Map<ObjectRef, ObjectFile> current = new HashMap<>();
    /**
     * Each line's file: set under the cache lock before the line is handed to its fetch (which
     * the lock orders) and before it is published (whose release store orders it for readers).
     */
    private final AtomicReferenceArray<ObjectFile> fileOf;
    private long nextName;           // cache lock held
    private volatile boolean closed; // after close, a late release has nothing left to give back

    private ObjectFiles(long lineSize, int lineCount, CacheFolder folder) {
        this.lineSize = lineSize;
        this.pageSize = Libc.pageSize();
        this.folder = folder;
        this.fileOf = new AtomicReferenceArray<>(lineCount);
    }

    static ObjectFiles in(Path parent, long lineSize, int lineCount) throws IOException {
        if (lineSize % Libc.pageSize() != 0) {
            throw new IOException("cache_storage per-inode-file maps lines at their offsets, so cache_line_size must be a"
                    + " multiple of the page size (" + Libc.pageSize() + " bytes)");
        }
        return new ObjectFiles(lineSize, lineCount, CacheFolder.create(parent));
    }

    @Override
    public void assigned(int line, LineKey key) {
        ObjectFile f = current.get(key.object());
        if (f == null || f.owned.contains(key.index())) { // a quarantined line still owns that range
            f = new ObjectFile(folder.dir().resolve("o" + nextName++));
            current.put(key.object(), f);
        }
        f.owned.add(key.index());
        fileOf.set(line, f);
    }

    @Override
    public void reserve(int line, LineKey key) throws CacheStorageException {
        ObjectFile f = fileOf.get(line);
        if (!f.enter()) {
            throw new CacheStorageException("the cache is closing", null);
        }
        try {
            Libc.fallocate(f.fd(), key.index() * lineSize, lineSize);
        } catch (ErrnoException e) {
            throw new CacheStorageException("the cache cannot store a line in " + folder.dir() + ": " + e.getMessage(), e);
        } finally {
            f.exit();
        }
    }

    @Override
    public MemorySegment view(int line, LineKey key, long bytes, Arena scope) throws CacheStorageException {
        ObjectFile f = fileOf.get(line);
        if (!f.enter()) {
            throw new CacheStorageException("the cache is closing", null);
        }
        long mapped = (bytes + pageSize - 1) / pageSize * pageSize;
        try {
            MemorySegment address = Libc.mmap(mapped, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, f.fd(),
                    key.index() * lineSize);
            try {
                return address.reinterpret(mapped, scope, s -> Libc.munmap(s, mapped)).asSlice(0, bytes);
            } catch (RuntimeException scopeClosed) {
                Libc.munmap(address, mapped);
                throw new CacheStorageException("the fetch was revoked", scopeClosed);
            }
        } catch (ErrnoException e) {
            throw new CacheStorageException("the cache cannot map a line of " + f.path + ": " + e.getMessage(), e);
        } finally {
            f.exit(); // the mapping keeps the file open by itself
        }
    }

    @Override
    public boolean copyOut(int line, LineKey key, long inLine, MemorySegment dst, long dstOffset, long n)
            throws CacheStorageException {
        ObjectFile f = fileOf.get(line);
        if (f == null || !f.enter()) {
            return false; // released meanwhile
        }
        try {
            CacheStorageException.readWhole(f.fd(), f.path, key.index() * lineSize + inLine,
                    dst.asSlice(dstOffset, n));
            return true;
        } catch (ErrnoException e) {
            throw new CacheStorageException("the cache cannot read " + f.path + ": " + e.getMessage(), e);
        } finally {
            f.exit();
        }
    }

    /** Punches the line's blocks out of its file, and retires the file with its last line. */
    @Override
    public void released(int line, LineKey key) {
        ObjectFile f = fileOf.get(line);
        fileOf.set(line, null);
        if (f == null || closed) {
            return;
        }
        f.owned.remove(key.index());
        if (f.owned.isEmpty()) {
            current.remove(key.object(), f);
            f.retire();
        } else {
            f.punch(key.index() * lineSize, lineSize);
        }
    }

    @Override
    public String describe() {
        return folder.dir() + ", a file per object (cache_storage: per-inode-file)";
    }

    @Override
    public boolean viewsAreMappings() {
        return true;
    }

    /** Retires every file and removes the folder (the cache has revoked its fetches first). */
    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < fileOf.length(); i++) {
            ObjectFile f = fileOf.get(i);
            if (f != null) {
                f.retire();
            }
        }
        folder.close(); // every file with a line is reached above: a file without one was retired already
    }

    /**
     * One file of an object, opened on first use. Its descriptor is used only between
     * {@link #enter} and {@link #exit}, and closed only once nobody is between them: {@code state}
     * counts the users, and its high bit says "retired" (no one may enter; the last one out closes).
     */
    static final class ObjectFile {
        private static final long RETIRED = 1L << 62;
        final Path path;
        /** The line indexes whose range a cache line owns in this file. Cache lock held. */
        final Set<Long> owned = new HashSet<>();
        private final AtomicLong state = new AtomicLong();
        private int fd = -1; // guarded by this

        ObjectFile(Path path) {
            this.path = path;
        }

        /** The descriptor, opening (creating) the file the first time. Only between enter and exit. */
        synchronized int fd() throws ErrnoException {
            if (fd < 0) {
                fd = Libc.open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
            }
            return fd;
        }

        /** The caller may use {@link #fd} until {@link #exit}; false once the file is retired. */
        boolean enter() {
            long s;
            do {
                s = state.get();
                if ((s & RETIRED) != 0) {
                    return false;
                }
            } while (!state.compareAndSet(s, s + 1));
            return true;
        }

        void exit() {
            if (state.decrementAndGet() == RETIRED) {
                closeNow();
            }
        }

        /** Gives the range's blocks back; on failure they stay in use until the file goes (less room, never wrong bytes). */
        void punch(long offset, long length) {
            if (enter()) {
                try {
                    Libc.punchHole(fd(), offset, length);
                } catch (ErrnoException e) {
                    // see above
                } finally {
                    exit();
                }
            }
        }

        /** No one may enter any more; the file is closed and deleted now, or by the last one out. Idempotent. */
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

        private synchronized void closeNow() {
            if (fd >= 0) {
                Libc.close(fd);
                fd = -1;
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // the folder goes at exit
            }
        }
    }
}
