package dev.msfs.fs;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Paths;
import dev.msfs.config.BackendConfig;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The names the kernel sees: the root, one volume per backend below it ({@code dir_name}), the
 * inodes the kernel holds, and the directory listings behind them. It owns every backend request
 * for names (LIST, HEAD); file bytes go through the cache. No lock of its own: the volume maps are
 * concurrent, {@link InodeTable} has its lock, and listings are immutable snapshots swapped whole.
 */
final class Namespace implements AutoCloseable {
    static final long ROOT_INO = 1;
    private static final Logger LOG = Logger.getLogger(Namespace.class.getName());

    private final FsSettings settings;
    private final long ttlNanos;
    private final long mountedAtMillis = System.currentTimeMillis();
    private final InodeTable inodes = new InodeTable(ROOT_INO + 1);
    final Inode root;
    /** The backends reachable from the root now; a reload adds and removes entries. */
    private final Map<String, Volume> volumesByName = new ConcurrentHashMap<>();
    /** Every volume whose backend is still open, by index (the cache's fetches find them here). */
    private final Map<Integer, Volume> volumes = new ConcurrentHashMap<>();
    private final AtomicInteger nextVolume = new AtomicInteger();
    /**
     * Listings kept for lookups, oldest first, with their entry count in all: past the budget the
     * oldest are dropped (re-listed when next needed), so the heap never holds a whole bucket's
     * names however many directories the kernel keeps. Lock-free; see {@link #publish}.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Kept> kept = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong keptEntries = new java.util.concurrent.atomic.AtomicLong();
    private final long listingBudget;

    private record Kept(Inode dir, DirListing listing) {
    }

    /** Entries of listings kept at most: a quarter of the heap, at about 256 bytes an entry (name, ETag, map node). */
    static long listingBudget(long maxHeapBytes) {
        return Math.max(10_000, maxHeapBytes / 4 / 256);
    }

    Namespace(FsSettings settings) {
        this(settings, listingBudget(Runtime.getRuntime().maxMemory()));
    }

    Namespace(FsSettings settings, long listingBudget) {
        this.listingBudget = listingBudget;
        this.settings = settings;
        this.ttlNanos = settings.entryTtlMillis() * 1_000_000L;
        this.root = new Inode(ROOT_INO, null, "", true, true,
                new Inode.Known(ObjectInfo.dir("", mountedAtMillis), System.nanoTime()));
        inodes.addPinned(root);
    }

    void addVolume(BackendConfig bc, Backend backend) {
        Volume v = new Volume(nextVolume.getAndIncrement(), bc, backend);
        v.root = new Inode(inodes.allocateIno(), v, "", true, true,
                new Inode.Known(new ObjectInfo(bc.dirName(), true, 0, System.currentTimeMillis(), "", backend.rootMode()),
                        System.nanoTime()));
        inodes.addPinned(v.root);
        volumes.put(v.index, v);
        if (volumesByName.putIfAbsent(bc.dirName(), v) != null) {
            volumes.remove(v.index);
            throw new IllegalStateException("a backend named " + bc.dirName() + " is mounted already");
        }
    }

    void removeVolume(String dirName) {
        Volume v = volumesByName.remove(dirName);
        if (v != null && v.markRemoved()) {
            volumes.remove(v.index);
        }
    }

    /** A file of {@code v} was released: closes its backend if a reload removed it and nothing else is open. */
    void released(Volume v) {
        v.openFiles.decrementAndGet();
        if (v.closeIfUnused()) {
            volumes.remove(v.index);
        }
    }

    Backend backend(String dirName) {
        Volume v = volumesByName.get(dirName);
        return v == null ? null : v.backend;
    }

    /** The volume of a cache fetch; it fails once the volume's backend is closed. */
    Volume volume(int index) throws BackendException {
        Volume v = volumes.get(index);
        if (v == null) {
            throw new BackendException(BackendException.Kind.IO, "the backend was removed by a reload");
        }
        return v;
    }

    /** The inode the kernel knows by {@code ino}, or null. */
    Inode get(long ino) {
        return inodes.get(ino);
    }

    Inode known(long ino) throws FsException {
        Inode inode = inodes.get(ino);
        if (inode == null) {
            throw new FsException(Errno.ENOENT, "unknown inode " + ino);
        }
        return inode;
    }

    Inode directory(long ino) throws FsException {
        Inode inode = known(ino);
        if (!inode.directory) {
            throw new FsException(Errno.ENOTDIR, "not a directory");
        }
        return inode;
    }

    /** The inode for {@code name} in {@code parent}, with one more kernel lookup counted. */
    Inode lookup(long parent, String name) throws FsException {
        Inode dir = directory(parent);
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new FsException(Errno.ENAMETOOLONG, "name too long");
        }
        if (dir == root) {
            Volume v = volumesByName.get(name);
            if (v == null) {
                throw new FsException(Errno.ENOENT, "no backend " + name);
            }
            inodes.ref(v.root);
            return v.root;
        }
        if (!Paths.isValidName(name)) {
            throw new FsException(Errno.ENOENT, "not a valid name");
        }
        return inodes.ref(dir.volume, dir.childPath(name), childInfo(dir, name));
    }

    /** One more kernel lookup of {@code dir}'s child as a listing taken at {@code listedAtNanos} saw it. */
    Inode ref(Inode dir, ObjectInfo child, long listedAtNanos) {
        return inodes.ref(dir.volume, dir.childPath(child.name()), new Inode.Known(child, listedAtNanos));
    }

    /** One more kernel lookup of an inode already held (a volume root). */
    void ref(Inode inode) {
        inodes.ref(inode);
    }

    void forget(long ino, long n) {
        inodes.forget(ino, n);
    }

    /** What the backend says of a file now, once what msfs knows is older than the TTL. */
    void refreshIfStale(Inode inode) throws FsException {
        if (inode.directory || System.nanoTime() - inode.known.atNanos() < ttlNanos) {
            return;
        }
        try {
            Optional<ObjectInfo> info = inode.volume.backend.stat(inode.path);
            if (info.isEmpty() || info.get().directory()) {
                throw new FsException(Errno.ENOENT, inode.path + " is gone");
            }
            inodes.learn(inode, new Inode.Known(info.get(), System.nanoTime()));
        } catch (BackendException e) {
            // Keep serving what we knew: a flaky store should not make a known file disappear.
            LOG.log(Level.WARNING, "{0}: cannot refresh attributes ({1}); serving the last known ones",
                    new Object[] {inode.path, e.getMessage()});
        }
    }

    /** The complete listing of {@code dir}, the cached one while it is fresh. */
    DirListing listing(Inode dir) throws FsException {
        DirListing l = dir.listing;
        long now = System.nanoTime();
        if (l != null && l.freshAt(now, ttlNanos)) {
            return l;
        }
        TreeMap<String, ObjectInfo> byName = new TreeMap<>();
        Backend backend = dir.volume.backend;
        String token = null;
        try {
            do {
                ListPage page = backend.list(dir.dirPath(), token);
                addEntries(byName, page.entries());
                if (page.next() != null && page.next().equals(token)) {
                    throw new BackendException(BackendException.Kind.IO, "listing did not advance");
                }
                token = page.next();
            } while (token != null);
        } catch (BackendException e) {
            throw backendFailure(dir.volume, "list '" + dir.dirPath() + "'", e);
        }
        return publish(dir, byName, now);
    }

    /** The root inodes of the backends mounted now, sorted by dir_name. */
    List<Inode> volumeRoots() {
        return volumesByName.values().stream().map(v -> v.root)
                .sorted((a, b) -> a.known.info().name().compareTo(b.known.info().name())).toList();
    }

    Inode parent(Inode dir) {
        if (dir.volume == null || dir.path.isEmpty()) {
            return root;
        }
        int slash = dir.path.lastIndexOf('/');
        Inode p = slash < 0 ? null : inodes.get(inodes.peek(dir.volume, dir.path.substring(0, slash)));
        return p != null ? p : dir.volume.root;
    }

    /** {@code dir} changed through this mount (a file created, written or removed): its listing is taken again. */
    void changed(Inode dir) {
        dir.listing = null;
        dir.listsInPagesUntil = System.nanoTime();
    }

    /** What a write through this mount made of {@code inode}'s object. */
    void learn(Inode inode, ObjectInfo info) {
        inodes.learn(inode, new Inode.Known(info, System.nanoTime()));
    }

    /** The number a child has now; readdir shows a made-up non-zero one for names not looked up yet. */
    long inoOf(Inode dir, String name) {
        long known = inodes.peek(dir.volume, dir.childPath(name));
        return known != 0 ? known : (name.hashCode() & 0x7fffffffL) | (1L << 40);
    }

    Attr attr(Inode inode) {
        ObjectInfo info = inode.known.info();
        long mtime = info.mtimeMillis() > 0 ? info.mtimeMillis() : mountedAtMillis; // key prefixes have no time
        if (inode.volume == null) {
            return new Attr(inode.ino, Attr.S_IFDIR | settings.rootDirPerm(), 2, settings.rootUid(), settings.rootGid(), 0, mtime);
        }
        BackendConfig bc = inode.volume.config;
        int allowed = info.source().allowedFor(bc.uid(), bc.gid());
        return inode.directory
                ? new Attr(inode.ino, Attr.S_IFDIR | (bc.dirPerm() & allowed), 2, bc.uid(), bc.gid(), 0, mtime)
                : new Attr(inode.ino, Attr.S_IFREG | (bc.filePerm() & allowed), 1, bc.uid(), bc.gid(), info.size(), mtime);
    }

    int inodeCount() {
        return inodes.size();
    }

    List<String> dump(int max) {
        return inodes.dump(max);
    }

    dev.msfs.metrics.MeasuredLock inodeLock() {
        return inodes.measuredLock();
    }

    long lookupCount(long ino) {
        return inodes.lookupCount(ino);
    }

    /** Closes every backend still open. */
    @Override
    public void close() {
        volumes.values().forEach(Volume::closeNow);
    }

    /**
     * A lookup without a fresh listing of its directory tries one LIST page first: when that is
     * the whole directory it becomes the listing, and it answers this lookup and its siblings'
     * (one request for a directory of small files, where stat costs a LIST and a HEAD each). A
     * directory of more than a page, or one that cannot be listed, falls back to stat, and is not
     * tried again for a TTL.
     */
    private Inode.Known childInfo(Inode dir, String name) throws FsException {
        long now = System.nanoTime();
        DirListing l = dir.listing;
        if (l == null || !l.freshAt(now, ttlNanos)) {
            l = onePageListing(dir, now);
        }
        if (l != null) {
            ObjectInfo info = l.byName().get(name);
            if (info == null) {
                throw new FsException(Errno.ENOENT, "no " + name);
            }
            return new Inode.Known(info, l.takenAtNanos());
        }
        try {
            return new Inode.Known(dir.volume.backend.stat(dir.childPath(name))
                    .orElseThrow(() -> new FsException(Errno.ENOENT, "no " + name)), now);
        } catch (BackendException e) {
            throw backendFailure(dir.volume, "stat " + dir.childPath(name), e);
        }
    }

    private DirListing onePageListing(Inode dir, long now) {
        if (ttlNanos == 0 || now - dir.listsInPagesUntil < 0) {
            return null;
        }
        ListPage page;
        try {
            page = dir.volume.backend.list(dir.dirPath(), null);
        } catch (BackendException e) {
            page = null; // stat may still work: credentials may allow reading objects but not listing
        }
        if (page == null || page.next() != null) {
            dir.listsInPagesUntil = now + ttlNanos;
            return null;
        }
        TreeMap<String, ObjectInfo> byName = new TreeMap<>();
        addEntries(byName, page.entries());
        return publish(dir, byName, now);
    }

    /** Names POSIX can show; a directory and an object of the same name: the directory wins (documented rule). */
    private static void addEntries(TreeMap<String, ObjectInfo> byName, List<ObjectInfo> entries) {
        for (ObjectInfo e : entries) {
            if (Paths.isValidName(e.name()) && (e.directory() || !byName.containsKey(e.name()))) {
                byName.put(e.name(), e);
            }
        }
    }

    private DirListing publish(Inode dir, TreeMap<String, ObjectInfo> byName, long now) {
        DirListing l = new DirListing(List.copyOf(byName.values()), Collections.unmodifiableMap(new HashMap<>(byName)), now);
        if (weight(l) > listingBudget) {
            return l; // served to this caller only: kept, it would push out every other listing and then itself
        }
        dir.listing = l;
        kept.add(new Kept(dir, l));
        // A replaced listing stays counted until it is polled: the count errs high, never low.
        for (long total = keptEntries.addAndGet(weight(l)); total > listingBudget; ) {
            Kept oldest = kept.poll();
            if (oldest == null) {
                break;
            }
            if (oldest.dir().listing == oldest.listing()) {
                // Racing a newer publish for the same directory can drop that one too: it is listed again, never wrong.
                oldest.dir().listing = null;
            }
            total = keptEntries.addAndGet(-weight(oldest.listing()));
        }
        return l;
    }

    /** An empty listing counts one: re-listed empty directories must not pile up in the queue uncounted. */
    private static long weight(DirListing l) {
        return l.sorted().size() + 1L;
    }

    /** Entries in the listings kept now, each listing counting one more (for tests). */
    long keptListingEntries() {
        return keptEntries.get();
    }

    /** Listings kept now (for tests; counts a queue). */
    int keptListings() {
        return kept.size();
    }

    /**
     * The errno for a backend's failure, logged with the backend's name and what it reaches
     * (type, endpoint, bucket). A missing object is no news; a missing bucket is, once.
     */
    static FsException backendFailure(Volume volume, String what, BackendException e) {
        int errno = Errno.of(e);
        String backend = "backend " + volume.config.dirName() + " (" + volume.backend.describe() + ")";
        if ("NoSuchBucket".equals(e.code())) {
            if (volume.missingBucketLogged.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "{0}: the bucket does not exist (its directory is empty; logged once)", backend);
            }
        } else if (errno != Errno.ENOENT) {
            LOG.log(Level.WARNING, "{0}: {1} failed: {2}", new Object[] {backend, what, e.getMessage()});
        }
        return new FsException(errno, what + ": " + e.getMessage());
    }
}
