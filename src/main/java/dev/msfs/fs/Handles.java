package dev.msfs.fs;

import dev.msfs.cache.ObjectRef;
import dev.msfs.cache.ReadAhead;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open files and directories of a mount, by handle number (never reused). Lock-free: the maps
 * are concurrent and what they hold is immutable, but for a file's read-ahead hints and a paged
 * directory's pages ({@link PagedEntries} guards its own).
 */
final class Handles {
    /** An open directory: its entries as listed from {@code listedAtNanos}, with offsets stable for the handle's life. */
    record OpenDir(Inode dir, DirEntries entries, long listedAtNanos) {
    }

    /**
     * An open file: the object version seen at open, which every read of the handle uses;
     * {@code usesPages}: opened to use the kernel's page cache (see {@link KernelPages});
     * {@code writing}: the writer of the file when it was opened, whose bytes the handle reads
     * while it is open (then the store's), or null.
     */
    record OpenFile(Inode inode, ObjectRef object, ReadAhead readAhead, boolean usesPages, Writer writing) {
    }

    private final Map<Long, OpenDir> dirs = new ConcurrentHashMap<>();
    private final Map<Long, OpenFile> files = new ConcurrentHashMap<>();
    private final Map<Long, Writer> writers = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(OpenDir d) {
        long fh = next.getAndIncrement();
        dirs.put(fh, d);
        return fh;
    }

    long add(Writer w) {
        long fh = next.getAndIncrement();
        writers.put(fh, w);
        return fh;
    }

    /** The writer of handle {@code fh}, or null when it is not a file opened for writing. */
    Writer writer(long fh) {
        return writers.get(fh);
    }

    Writer removeWriter(long fh) {
        return writers.remove(fh);
    }

    /** The open writer of {@code inode}, if any (its size is the file's while it is written). */
    Writer writerOf(Inode inode) {
        for (Writer w : writers.values()) {
            if (w.inode == inode) {
                return w;
            }
        }
        return null;
    }

    /** Every open writer of {@code path} in {@code volume}. */
    List<Writer> writersOf(Volume volume, String path) {
        return writers.values().stream().filter(w -> w.inode.volume == volume && w.inode.path.equals(path)).toList();
    }

    /** Every open writer, for closing at unmount. */
    List<Writer> allWriters() {
        return List.copyOf(writers.values());
    }

    long add(OpenFile f) {
        long fh = next.getAndIncrement();
        files.put(fh, f);
        return fh;
    }

    OpenDir dir(long fh) throws FsException {
        OpenDir d = dirs.get(fh);
        if (d == null) {
            throw new FsException(Errno.EBADF, "no open directory " + fh);
        }
        return d;
    }

    OpenFile file(long fh) throws FsException {
        OpenFile f = files.get(fh);
        if (f == null) {
            throw new FsException(Errno.EBADF, "no open file " + fh);
        }
        return f;
    }

    void removeDir(long fh) {
        dirs.remove(fh);
    }

    /** The file released, or null if the handle was not open. */
    OpenFile removeFile(long fh) {
        return files.remove(fh);
    }

    int count() {
        return dirs.size() + files.size() + writers.size();
    }
}
