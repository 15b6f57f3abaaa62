package dev.msfs.fs;

import dev.msfs.metrics.MeasuredLock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The kernel's view of inode numbers: a number stays valid, and keeps naming the same path, until
 * the kernel forgets it (FORGET drops the lookup count to zero); numbers are never reused. Nothing
 * here does I/O, so the lock is only held for map updates.
 */
final class InodeTable {
    private static final Logger LOG = Logger.getLogger(InodeTable.class.getName());
    private record Key(int volume, String path) {
    }

    /** Guards {@link #byKey}, every {@link Inode#lookups}, writes to {@link #byIno}, and replacing an {@link Inode#known}. */
    private final MeasuredLock lock = new MeasuredLock("inodes");
    /** Read without the lock: ConcurrentHashMap publishes each inode safely to other threads. */
    private final Map<Long, Inode> byIno = new ConcurrentHashMap<>();
    private final Map<Key, Inode> byKey = new HashMap<>();
    private final AtomicLong nextIno;
    private boolean forgetUnderflowLogged; // guarded by lock

    InodeTable(long firstIno) {
        this.nextIno = new AtomicLong(firstIno);
    }

    Inode get(long ino) {
        return byIno.get(ino);
    }

    /** Registers an inode that lives as long as the mount (root, volume roots). */
    void addPinned(Inode inode) {
        lock.lock();
        try {
            byIno.put(inode.ino, inode);
            if (inode.volume != null) {
                byKey.put(new Key(inode.volume.index, inode.path), inode);
            }
        } finally {
            lock.unlock();
        }
    }

    long allocateIno() {
        return nextIno.getAndIncrement();
    }

    /**
     * The inode for {@code path} with one more kernel reference: the existing one or a new one. An
     * existing one takes {@code known} only if it is newer than what it knows, so an old listing
     * never rolls a version back. If the path changed kind (file ↔ directory) it gets a new
     * number; the old inode stays valid for the kernel until forgotten.
     */
    Inode ref(Volume volume, String path, Inode.Known known) {
        Key key = new Key(volume.index, path);
        lock.lock();
        try {
            Inode inode = byKey.get(key);
            if (inode == null || inode.directory != known.info().directory()) {
                inode = new Inode(allocateIno(), volume, path, known.info().directory(), false, known);
                byKey.put(key, inode);
                byIno.put(inode.ino, inode);
            } else {
                learnLocked(inode, known);
            }
            inode.lookups++;
            return inode;
        } finally {
            lock.unlock();
        }
    }

    /** What the backend said of {@code inode}, kept only if newer than what it knows. */
    void learn(Inode inode, Inode.Known known) {
        lock.lock();
        try {
            learnLocked(inode, known);
        } finally {
            lock.unlock();
        }
    }

    private static void learnLocked(Inode inode, Inode.Known known) {
        if (known.atNanos() - inode.known.atNanos() > 0) {
            inode.known = known;
        }
    }

    /** One more kernel reference to an inode already held (pinned roots looked up by name). */
    void ref(Inode inode) {
        lock.lock();
        try {
            inode.lookups++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The kernel dropped {@code n} references; at zero the inode and its number are gone. A forget
     * of more than was counted means msfs lost count somewhere: it is logged (once per mount, the
     * kernel may repeat it) and the inode dropped, as the kernel holds none of it any more.
     */
    void forget(long ino, long n) {
        lock.lock();
        try {
            Inode inode = byIno.get(ino);
            if (inode == null) {
                return;
            }
            if (n > inode.lookups && !forgetUnderflowLogged) {
                forgetUnderflowLogged = true;
                LOG.warning("the kernel forgot inode " + ino + " (" + inode.path + ") " + n + " time(s) but msfs counted "
                        + inode.lookups + " lookup(s); a lookup count is wrong (logged once)");
            }
            inode.lookups = Math.max(0, inode.lookups - n);
            if (inode.lookups == 0 && !inode.pinned) {
                byIno.remove(ino);
                Key key = new Key(inode.volume.index, inode.path);
                if (byKey.get(key) == inode) {
                    byKey.remove(key);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The number a path has now, or 0 if the kernel holds none for it. */
    long peek(Volume volume, String path) {
        lock.lock();
        try {
            Inode inode = byKey.get(new Key(volume.index, path));
            return inode == null ? 0 : inode.ino;
        } finally {
            lock.unlock();
        }
    }

    long lookupCount(long ino) {
        lock.lock();
        try {
            Inode inode = byIno.get(ino);
            return inode == null ? 0 : inode.lookups;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return byIno.size();
    }

    MeasuredLock measuredLock() {
        return lock;
    }

    /**
     * One line per inode the kernel holds, in number order, {@code max} at most (then how many
     * more): number, kind, lookup count, backend and path. The inodes are chosen without the lock
     * (the map is concurrent), so lookups wait only while the chosen ones' counts are read.
     */
    List<String> dump(int max) {
        List<Inode> chosen = byIno.values().stream().sorted(java.util.Comparator.comparingLong((Inode i) -> i.ino))
                .limit(max).toList();
        List<String> lines = new java.util.ArrayList<>(chosen.size() + 1);
        lock.lock();
        try {
            for (Inode i : chosen) {
                lines.add(i.ino + (i.directory ? " d " : " f ") + i.lookups + " "
                        + (i.volume == null ? "/" : i.volume.config.dirName() + "/" + i.path));
            }
        } finally {
            lock.unlock();
        }
        int more = byIno.size() - lines.size();
        if (more > 0) {
            lines.add("... " + more + " more");
        }
        return lines;
    }
}
