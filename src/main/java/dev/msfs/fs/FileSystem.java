package dev.msfs.fs;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Paths;
import dev.msfs.cache.CacheStats;
import dev.msfs.cache.DataCache;
import dev.msfs.cache.ObjectRef;
import dev.msfs.cache.Prefetcher;
import dev.msfs.cache.ReadAhead;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.MsfsConfig;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The POSIX view of the backends: the root lists one directory per backend ({@code dir_name}),
 * below which the backend's keys appear as a tree. Knows nothing of FUSE; every method answers in
 * Java types or throws {@link FsException} with the errno to reply. Read-only: no backend is
 * writable, so every mutation is refused with EROFS. File data is read through the
 * {@link DataCache}, keyed by the object version seen at open.
 */
public final class FileSystem implements AutoCloseable {
    public static final long ROOT_INO = 1;
    private static final Logger LOG = Logger.getLogger(FileSystem.class.getName());
    private static final int O_ACCMODE = 03;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int W_OK = 2;

    private final MsfsConfig config;
    private final InodeTable inodes = new InodeTable(ROOT_INO + 1);
    private final Inode root;
    /** The backends reachable from the root now; a reload adds and removes entries. */
    private final Map<String, Volume> volumesByName = new ConcurrentHashMap<>();
    /** Every volume whose backend is still open, by index (the cache's fetches find them here). */
    private final Map<Integer, Volume> volumes = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger nextVolume = new java.util.concurrent.atomic.AtomicInteger();
    private final DataCache cache;
    private final Prefetcher prefetcher;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<Long, DirHandle> dirHandles = new ConcurrentHashMap<>();
    private final Map<Long, OpenFile> openFiles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final long ttlNanos;
    private final long mountedAtMillis = System.currentTimeMillis();

    /** An open directory: its entries as listed at {@code listedAtNanos}. */
    private record DirHandle(Inode dir, List<DirEntry> entries, long listedAtNanos) {
    }

    private record OpenFile(Inode inode, ObjectRef object, ReadAhead readAhead) {
    }

    /** @param backends one per {@code config.backends()}, in the same order */
    public FileSystem(MsfsConfig config, List<Backend> backends) {
        this.config = config;
        this.ttlNanos = config.entryAttrTtlMillis() * 1_000_000L;
        ObjectInfo rootInfo = ObjectInfo.dir("", mountedAtMillis);
        this.root = new Inode(ROOT_INO, null, "", true, true, new Inode.Known(rootInfo, System.nanoTime()));
        inodes.addPinned(root);
        this.cache = new DataCache(config.cacheLineSize(), config.cacheLines(), this::fetchLine);
        this.prefetcher = new Prefetcher(cache, config.cacheLinesToPrefetch());
        for (int i = 0; i < backends.size(); i++) {
            addVolume(config.backends().get(i), backends.get(i));
        }
    }

    /** Mounts another backend at {@code <root>/<dir_name>} (a reload added it). */
    public void addVolume(BackendConfig bc, Backend backend) {
        Volume v = new Volume(nextVolume.getAndIncrement(), bc, backend);
        v.root = new Inode(inodes.allocateIno(), v, "", true, true,
                new Inode.Known(ObjectInfo.dir(bc.dirName(), System.currentTimeMillis()), System.nanoTime()));
        inodes.addPinned(v.root);
        volumes.put(v.index, v);
        if (volumesByName.putIfAbsent(bc.dirName(), v) != null) {
            volumes.remove(v.index);
            throw new IllegalStateException("a backend named " + bc.dirName() + " is mounted already");
        }
    }

    /**
     * Takes a backend off the root (a reload removed it): new lookups no longer find it, files
     * already open on it keep reading, and its backend closes when the last of them is released.
     */
    public void removeVolume(String dirName) {
        Volume v = volumesByName.remove(dirName);
        if (v != null && v.markRemoved()) {
            volumes.remove(v.index);
        }
    }

    /** The backend mounted at {@code dirName} now, or null. */
    public Backend backend(String dirName) {
        Volume v = volumesByName.get(dirName);
        return v == null ? null : v.backend;
    }

    /** One cache line: a line that holds a whole object is read whole, so a store that keeps checksums verifies it. */
    private long fetchLine(ObjectRef object, long offset, MemorySegment dst) throws BackendException {
        Backend backend = volume(object.source()).backend;
        return offset == 0 && dst.byteSize() == object.size()
                ? backend.readWhole(object.path(), object.etag(), dst)
                : backend.read(object.path(), object.etag(), offset, dst);
    }

    private Volume volume(int index) throws BackendException {
        Volume v = volumes.get(index);
        if (v == null) {
            throw new BackendException(BackendException.Kind.IO, "the backend was removed by a reload");
        }
        return v;
    }

    /** Seconds the kernel may keep entries and attributes (and negative entries). */
    public double entryTtlSeconds() {
        return config.entryAttrTtlMillis() / 1000.0;
    }

    /** The entry for {@code name} in {@code parent}; a name that does not exist is a negative entry. */
    public Entry lookup(long parent, String name) throws FsException {
        try {
            return new Entry(attr(lookupInode(parent, name)), entryTtlSeconds(), true);
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            return Entry.negative(entryTtlSeconds());
        }
    }

    /** The inode for {@code name} in {@code parent}, with one more kernel lookup counted. */
    private Inode lookupInode(long parent, String name) throws FsException {
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
        Inode.Known known = childInfo(dir, name);
        return inodes.ref(dir.volume, dir.childPath(name), known);
    }

    public void forget(long ino, long n) {
        inodes.forget(ino, n);
    }

    public Attr getattr(long ino) throws FsException {
        Inode inode = known(ino);
        if (!inode.directory && stale(inode.known.atNanos())) {
            refresh(inode);
        }
        return attr(inode);
    }

    public long opendir(long ino) throws FsException {
        Inode dir = directory(ino);
        List<DirEntry> entries = new ArrayList<>();
        long listedAt = System.nanoTime();
        entries.add(new DirEntry(".", true, 1, null, dir.ino));
        entries.add(new DirEntry("..", true, 2, null, dir.volume == null ? ROOT_INO : parentIno(dir)));
        if (dir == root) {
            // The volume roots themselves (pinned inodes), so a reload removing one later cannot break this handle.
            for (Inode vroot : volumeRoots()) {
                ObjectInfo info = vroot.known.info();
                entries.add(new DirEntry(info.name(), true, entries.size() + 1, info, vroot.ino));
            }
        } else {
            DirListing listing = listing(dir);
            listedAt = listing.takenAtNanos();
            for (ObjectInfo c : listing.sorted()) {
                long known = inodes.peek(dir.volume, dir.childPath(c.name()));
                entries.add(new DirEntry(c.name(), c.directory(), entries.size() + 1, c, known != 0 ? known : unknownIno(c)));
            }
        }
        long fh = nextHandle.getAndIncrement();
        dirHandles.put(fh, new DirHandle(dir, Collections.unmodifiableList(entries), listedAt));
        return fh;
    }

    /** The open directory's entries from {@code offset} on (offsets are stable for the handle's life). */
    public List<DirEntry> readdir(long fh, long offset) throws FsException {
        List<DirEntry> entries = dirHandle(fh).entries();
        return offset >= entries.size() || offset < 0 ? List.of() : entries.subList((int) offset, entries.size());
    }

    /**
     * The entry of a readdirplus entry. For every entry but "." and ".." this counts as a lookup
     * (the kernel will FORGET it), so call it only for entries that go into the reply. What the
     * listing said replaces what an inode knows only if it is newer (a stat since opendir wins).
     */
    public Entry readdirplusEntry(long fh, DirEntry e) throws FsException {
        DirHandle h = dirHandle(fh);
        Inode dir = h.dir();
        if (e.info() == null) {
            Inode self = e.name().equals(".") ? dir : Optional.ofNullable(inodes.get(e.ino())).orElse(dir);
            return new Entry(attr(self), entryTtlSeconds(), false);
        }
        Inode inode;
        if (dir == root) {
            inode = known(e.ino()); // pinned: still there if a reload removed the backend meanwhile
            inodes.ref(inode);
        } else {
            inode = inodes.ref(dir.volume, dir.childPath(e.name()), new Inode.Known(e.info(), h.listedAtNanos()));
        }
        return new Entry(attr(inode), entryTtlSeconds(), true);
    }

    public void releasedir(long fh) {
        dirHandles.remove(fh);
    }

    public long open(long ino, int flags) throws FsException {
        Inode inode = known(ino);
        if ((flags & O_ACCMODE) != 0 || (flags & (O_CREAT | O_TRUNC)) != 0) {
            throw new FsException(Errno.EROFS, "read-only");
        }
        if (inode.directory) {
            throw new FsException(Errno.EISDIR, "is a directory");
        }
        if (stale(inode.known.atNanos())) {
            refresh(inode);
        }
        ObjectInfo info = inode.known.info();
        inode.volume.openFiles.incrementAndGet();
        long fh = nextHandle.getAndIncrement();
        openFiles.put(fh, new OpenFile(inode,
                ObjectRef.of(inode.volume.index, inode.path, info.etag(), info.size(), info.mtimeMillis()), new ReadAhead()));
        return fh;
    }

    /**
     * Reads from the version of the object seen at open into {@code dst} (whose size is the
     * request size); returns the byte count, 0 at or past EOF.
     */
    public long read(long fh, long offset, MemorySegment dst) throws FsException {
        OpenFile f = openFiles.get(fh);
        if (f == null) {
            throw new FsException(Errno.EBADF, "no open file " + fh);
        }
        ObjectRef object = f.object();
        if (offset >= object.size() || offset < 0) {
            return 0;
        }
        long n;
        try {
            n = cache.read(object, offset, dst);
        } catch (BackendException e) {
            throw backendFailure("read " + object.path(), e);
        }
        prefetcher.afterRead(f.readAhead(), object, offset, n);
        return n;
    }

    public void release(long fh) {
        OpenFile f = openFiles.remove(fh);
        if (f != null) {
            Volume v = f.inode().volume;
            v.openFiles.decrementAndGet();
            if (v.closeIfUnused()) {
                volumes.remove(v.index);
            }
        }
    }

    public StatFs statfs() {
        return new StatFs(4096, 1L << 30, inodes.size(), 255);
    }

    public void access(long ino, int mask) throws FsException {
        known(ino);
        if ((mask & W_OK) != 0) {
            throw new FsException(Errno.EROFS, "read-only");
        }
    }

    /** Creating, writing, renaming or removing anything: refused while no backend is writable. */
    public void refuseMutation(long ino) throws FsException {
        known(ino);
        throw new FsException(Errno.EROFS, "read-only file system");
    }

    public CacheStats cacheStats() {
        return cache.stats();
    }

    /** Frees the cache and closes every backend; call only after the mount stopped serving. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            prefetcher.close();
            cache.close();
            volumes.values().forEach(Volume::closeNow);
        }
    }

    /** Open file and directory handles, for metrics and tests. */
    public int openHandles() {
        return openFiles.size() + dirHandles.size();
    }

    public int inodeCount() {
        return inodes.size();
    }

    long lookupCount(long ino) {
        return inodes.lookupCount(ino);
    }

    private Inode known(long ino) throws FsException {
        Inode inode = inodes.get(ino);
        if (inode == null) {
            throw new FsException(Errno.ENOENT, "unknown inode " + ino);
        }
        return inode;
    }

    private Inode directory(long ino) throws FsException {
        Inode inode = known(ino);
        if (!inode.directory) {
            throw new FsException(Errno.ENOTDIR, "not a directory");
        }
        return inode;
    }

    private DirHandle dirHandle(long fh) throws FsException {
        DirHandle h = dirHandles.get(fh);
        if (h == null) {
            throw new FsException(Errno.EBADF, "no open directory " + fh);
        }
        return h;
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
            throw backendFailure("stat " + dir.childPath(name), e);
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

    private DirListing listing(Inode dir) throws FsException {
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
            throw backendFailure("list '" + dir.dirPath() + "'", e);
        }
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

    private static DirListing publish(Inode dir, TreeMap<String, ObjectInfo> byName, long now) {
        DirListing l = new DirListing(List.copyOf(byName.values()), Collections.unmodifiableMap(new HashMap<>(byName)), now);
        dir.listing = l;
        return l;
    }

    private void refresh(Inode inode) throws FsException {
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

    /** The root inodes of the backends mounted now, sorted by dir_name. */
    private List<Inode> volumeRoots() {
        return volumesByName.values().stream().map(v -> v.root)
                .sorted((a, b) -> a.known.info().name().compareTo(b.known.info().name())).toList();
    }

    private long parentIno(Inode dir) {
        if (dir.path.isEmpty()) {
            return ROOT_INO;
        }
        int slash = dir.path.lastIndexOf('/');
        long p = slash < 0 ? dir.volume.root.ino : inodes.peek(dir.volume, dir.path.substring(0, slash));
        return p != 0 ? p : dir.volume.root.ino;
    }

    /** readdir shows an inode number even for names not looked up yet; it only has to be non-zero. */
    private static long unknownIno(ObjectInfo c) {
        return (c.name().hashCode() & 0x7fffffffL) | (1L << 40);
    }

    private boolean stale(long atNanos) {
        return System.nanoTime() - atNanos >= ttlNanos;
    }

    private Attr attr(Inode inode) {
        ObjectInfo info = inode.known.info();
        long mtime = info.mtimeMillis() > 0 ? info.mtimeMillis() : mountedAtMillis; // key prefixes have no time
        if (inode.volume == null) {
            return new Attr(inode.ino, Attr.S_IFDIR | config.dirPerm(), 2, config.uid(), config.gid(), 0, mtime);
        }
        BackendConfig bc = inode.volume.config;
        return inode.directory
                ? new Attr(inode.ino, Attr.S_IFDIR | bc.dirPerm(), 2, bc.uid(), bc.gid(), 0, mtime)
                : new Attr(inode.ino, Attr.S_IFREG | bc.filePerm(), 1, bc.uid(), bc.gid(), info.size(), mtime);
    }

    private static FsException backendFailure(String what, BackendException e) {
        int errno = Errno.of(e);
        if (errno != Errno.ENOENT) {
            LOG.log(Level.WARNING, "{0} failed: {1}", new Object[] {what, e.getMessage()});
        }
        return new FsException(errno, what + ": " + e.getMessage());
    }
}
