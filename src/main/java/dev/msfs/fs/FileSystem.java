package dev.msfs.fs;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.cache.CacheStats;
import dev.msfs.cache.CacheStorage;
import dev.msfs.cache.DataCache;
import dev.msfs.cache.LineFetcher;
import dev.msfs.cache.ObjectRef;
import dev.msfs.cache.Prefetcher;
import dev.msfs.cache.ReadAhead;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.MsfsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The POSIX view of the backends, one operation per kernel request, answering in Java types
 * (records that carry the policy: {@link Entry}, {@link Opened}) or an {@link FsException} with
 * the errno to reply. It knows nothing of FUSE. It owns the {@link Namespace} (volumes, inodes,
 * listings), the {@link Handles}, and the cache it is given, which it reads file bytes through,
 * keyed by the object version seen at open, and tells the kernel how each open may use its page
 * cache ({@link KernelPages}). Read-only: every mutation is refused with EROFS.
 */
public final class FileSystem implements AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(FileSystem.class.getName());
    public static final long ROOT_INO = Namespace.ROOT_INO;

    private final FsSettings settings;
    private final Namespace namespace;
    private final Handles handles = new Handles();
    private final WriteBudget writeBudget;
    private final AbortRetries abortRetries;
    /** Set by the first {@link #dropWrites}; the future completes when it is done, for a second caller to wait on. */
    private final java.util.concurrent.atomic.AtomicBoolean writesDropping = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CompletableFuture<Void> writesDropped = new java.util.concurrent.CompletableFuture<>();
    /** Bounds a second caller's wait: each writer waits at most for its parts in flight and one abort, each bounded by request_timeout. */
    private static final long DROP_WAIT_SECONDS = 300;
    private final DataCache cache;
    private final Prefetcher prefetcher;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param cacheFor builds the cache from the fetcher that reads the volumes' backends; the file
     *                 system owns (and closes) what it returns
     */
    public FileSystem(FsSettings settings, Function<LineFetcher, DataCache> cacheFor, int prefetchLines) {
        this.settings = settings;
        this.writeBudget = new WriteBudget(settings.writeDeferralMaxBytes());
        this.namespace = new Namespace(settings);
        this.abortRetries = new AbortRetries(namespace::released);
        this.cache = cacheFor.apply(new VolumeFetcher(namespace));
        this.prefetcher = new Prefetcher(cache, prefetchLines);
    }

    /** The usual assembly: the config's cache geometry, and {@code backends} (one per {@code config.backends()}) mounted. */
    /** Throws when the cache's storage cannot be made (a missing or read-only cache_dir_path). */
    public static FileSystem of(MsfsConfig config, List<Backend> backends) throws IOException {
        CacheStorage storage = switch (config.cacheStorage()) {
            case RAM -> new CacheStorage.Memory();
            case MAPPED_FILE -> new CacheStorage.MappedFile(config.cacheDirPath());
            case PER_INODE_FILE -> new CacheStorage.PerObjectFile(config.cacheDirPath());
        };
        FileSystem fs;
        try {
            fs = new FileSystem(FsSettings.of(config), fetcher -> {
                try {
                    return DataCache.create(config.cacheLineSize(), config.cacheLines(), storage, fetcher);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, config.cacheLinesToPrefetch());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (int i = 0; i < backends.size(); i++) {
            fs.addVolume(config.backends().get(i), backends.get(i));
        }
        if (config.backends().stream().anyMatch(b -> !b.readonly())) {
            fs.spoolDir(); // at mount: a writable mount's spool folder exists, and those of killed runs are gone
        }
        return fs;
    }

    /** Mounts another backend at {@code <root>/<dir_name>} (a reload added it). */
    public void addVolume(BackendConfig bc, Backend backend) {
        namespace.addVolume(bc, backend);
    }

    /**
     * Takes a backend off the root (a reload removed it): new lookups no longer find it, files
     * already open on it keep reading, and its backend closes when the last of them is released.
     */
    public void removeVolume(String dirName) {
        namespace.removeVolume(dirName);
    }

    /** The backend mounted at {@code dirName} now, or null. */
    public Backend backend(String dirName) {
        return namespace.backend(dirName);
    }

    /** The entry for {@code name} in {@code parent}; a name that does not exist is a negative entry. */
    public Entry lookup(long parent, String name) throws FsException {
        try {
            return new Entry(namespace.attr(namespace.lookup(parent, name)), ttlSeconds(), true);
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            return Entry.negative(ttlSeconds());
        }
    }

    public void forget(long ino, long n) {
        namespace.forget(ino, n);
    }

    public Attr getattr(long ino) throws FsException {
        Inode inode = namespace.known(ino);
        Writer w = inode.directory ? null : handles.writerOf(inode);
        if (w != null) {
            return withSize(namespace.attr(inode), w.size()); // the store has not got it yet: the writer's size is the file's
        }
        namespace.refreshIfStale(inode);
        return namespace.attr(inode);
    }

    private static Attr withSize(Attr a, long size) {
        return new Attr(a.ino(), a.mode(), a.nlink(), a.uid(), a.gid(), size, a.mtimeMillis());
    }

    /** The dir_name of the backend {@code ino} belongs to, or null for the root or an inode no longer held. Lock-free. */
    public String backendOf(long ino) {
        Inode inode = namespace.get(ino);
        return inode == null || inode.volume == null ? null : inode.volume.config.dirName();
    }

    /** Seconds the kernel may keep attributes. */
    public double ttlSeconds() {
        return settings.entryTtlMillis() / 1000.0;
    }

    /**
     * Opens a directory: a snapshot of its entries, or, where the backend's pages come in order (a
     * manifest), its entries a page at a time; either way offsets stay stable for the handle's life.
     */
    public long opendir(long ino) throws FsException {
        Inode dir = namespace.directory(ino);
        List<DirEntry> entries = new ArrayList<>();
        long listedAt = System.nanoTime();
        entries.add(new DirEntry(".", true, 1, null, dir.ino));
        entries.add(new DirEntry("..", true, 2, null, namespace.parent(dir).ino));
        if (dir == namespace.root) {
            // The volume roots themselves (pinned inodes), so a reload removing one later cannot break this handle.
            for (Inode vroot : namespace.volumeRoots()) {
                ObjectInfo info = vroot.known.info();
                entries.add(new DirEntry(info.name(), true, entries.size() + 1, info, vroot.ino));
            }
        } else if (dir.volume.backend.pagesInOrder(dir.dirPath())) {
            return handles.add(new Handles.OpenDir(dir, new PagedEntries(namespace, dir, List.copyOf(entries)), listedAt));
        } else {
            DirListing listing = namespace.listing(dir);
            listedAt = listing.takenAtNanos();
            for (ObjectInfo c : listing.sorted()) {
                entries.add(new DirEntry(c.name(), c.directory(), entries.size() + 1, c, namespace.inoOf(dir, c.name())));
            }
        }
        return handles.add(new Handles.OpenDir(dir, new DirEntries.Snapshot(Collections.unmodifiableList(entries)), listedAt));
    }

    /** The open directory's entries from {@code offset} on (offsets are stable for the handle's life). */
    public List<DirEntry> readdir(long fh, long offset) throws FsException {
        return handles.dir(fh).entries().from(offset);
    }

    /**
     * The entry of a readdirplus entry. For every entry but "." and ".." this counts as a lookup
     * (the kernel will FORGET it), so call it only for entries that go into the reply. What the
     * listing said replaces what an inode knows only if it is newer (a stat since opendir wins).
     */
    public Entry readdirplusEntry(long fh, DirEntry e) throws FsException {
        Handles.OpenDir d = handles.dir(fh);
        if (e.info() == null) {
            Inode self = e.name().equals(".") ? d.dir() : Optional.ofNullable(namespace.get(e.ino())).orElse(d.dir());
            return new Entry(namespace.attr(self), ttlSeconds(), false);
        }
        Inode inode;
        if (d.dir() == namespace.root) {
            inode = namespace.known(e.ino()); // pinned: still there if a reload removed the backend meanwhile
            namespace.ref(inode);
        } else {
            inode = namespace.ref(d.dir(), e.info(), d.listedAtNanos());
        }
        return new Entry(namespace.attr(inode), ttlSeconds(), true);
    }

    public void releasedir(long fh) {
        handles.removeDir(fh);
    }

    /** As {@link #open(long, boolean, boolean)}, without O_TRUNC. */
    public Opened open(long ino, boolean writing) throws FsException {
        return open(ino, writing, false);
    }

    /**
     * Opens a file at the object version known now (refreshed first once older than the TTL).
     * {@code writing}: the open would write, create or truncate, which read-only backends refuse;
     * a writable one takes it with {@code truncate} only (O_TRUNC: the object is written anew,
     * from its first byte, with direct_io).
     */
    public Opened open(long ino, boolean writing, boolean truncate) throws FsException {
        Inode inode = namespace.known(ino);
        if (writing) {
            if (inode.volume == null || !writable(inode.volume)) {
                throw new FsException(Errno.EROFS, "read-only");
            }
            if (inode.directory) {
                throw new FsException(Errno.EISDIR, "is a directory");
            }
            if (!truncate) {
                throw new FsException(Errno.ENOTSUP, inode.path + ": an object can only be written whole: open it with O_TRUNC");
            }
            return new Opened(writer(inode), true, false);
        }
        if (inode.directory) {
            throw new FsException(Errno.EISDIR, "is a directory");
        }
        Writer writer = handles.writerOf(inode);
        if (writer != null) { // what was written so far, read past the kernel's pages: they would go stale
            inode.volume.openFiles.incrementAndGet();
            return new Opened(handles.add(new Handles.OpenFile(inode, known(inode), new ReadAhead(), false, writer)), true, false);
        }
        ObjectRef version = current(inode);
        inode.volume.openFiles.incrementAndGet();
        KernelPages.Mode mode = settings.directIo() ? KernelPages.Mode.DIRECT : inode.pages.open(version, settings.kernelCache());
        boolean usesPages = mode != KernelPages.Mode.DIRECT;
        long fh = handles.add(new Handles.OpenFile(inode, version, new ReadAhead(), usesPages, null));
        return new Opened(fh, !usesPages, mode == KernelPages.Mode.KEEP);
    }

    /** The version of {@code inode}'s object the store has now, as far as the namespace knows (within entry_attr_ttl). */
    private ObjectRef current(Inode inode) throws FsException {
        namespace.refreshIfStale(inode);
        return known(inode);
    }

    /** The version last seen of {@code inode}'s object (a file being written may have none in the store yet). */
    private static ObjectRef known(Inode inode) {
        ObjectInfo info = inode.known.info();
        return ObjectRef.of(inode.volume.index, inode.path, info.etag(), info.size(), info.mtimeMillis());
    }

    /**
     * Reads from the version of the object seen at open into {@code dst} (whose size is the
     * request size); returns the byte count, 0 at or past EOF. A file opened while it was being
     * written reads what its writer has written so far, and the store's version once the writer
     * is released.
     */
    public long read(long fh, long offset, MemorySegment dst) throws FsException {
        Writer own = handles.writer(fh);
        if (own != null) { // a file opened to read and write reads what it wrote
            return Math.max(0, own.read(offset, dst));
        }
        Handles.OpenFile f = handles.file(fh);
        ObjectRef object = f.object();
        if (f.writing() != null) {
            long n = f.writing().read(offset, dst);
            if (n >= 0) {
                return n;
            }
            object = current(f.inode()); // its writer is gone: what it committed is the store's
        }
        if (offset >= object.size() || offset < 0) {
            return 0;
        }
        long n;
        try {
            n = cache.read(object, offset, dst);
        } catch (BackendException e) {
            throw Namespace.backendFailure(f.inode().volume, "read " + object.path(), e);
        }
        prefetcher.afterRead(f.readAhead(), object, offset, n);
        return n;
    }

    public void release(long fh) {
        Writer w = handles.removeWriter(fh);
        if (w != null) {
            try {
                commit(w);
            } catch (FsException e) {
                LOG.warning("release: " + e.getMessage() + "; what was written to " + w.inode.path + " since its last flush is lost");
            } finally {
                w.close();
                namespace.released(w.inode.volume);
            }
            return;
        }
        Handles.OpenFile f = handles.removeFile(fh);
        if (f != null) {
            if (f.usesPages()) {
                f.inode().pages.released();
            }
            namespace.released(f.inode().volume);
        }
    }

    public StatFs statfs() {
        return new StatFs(4096, 1L << 30, namespace.inodeCount(), 255);
    }

    /** {@code write}: the caller asks whether it may write. */
    public void access(long ino, boolean write) throws FsException {
        Inode inode = namespace.known(ino);
        if (write && (inode.volume == null || !writable(inode.volume))) {
            throw new FsException(Errno.EROFS, "read-only");
        }
    }

    /** Whether {@code v} takes writes: readonly: false, and a backend that can store objects. */
    private static boolean writable(Volume v) {
        return !v.config.readonly() && v.backend.writable();
    }

    /** The directory {@code ino}, when its backend takes writes; else EROFS. */
    private Inode writableDir(long ino) throws FsException {
        Inode dir = namespace.directory(ino);
        if (dir.volume == null || !writable(dir.volume)) {
            throw new FsException(Errno.EROFS, "read-only file system");
        }
        return dir;
    }

    private static void checkName(String name) throws FsException {
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new FsException(Errno.ENAMETOOLONG, "name too long");
        }
        if (!dev.msfs.backend.Paths.isValidName(name)) {
            throw new FsException(Errno.EINVAL, "not a name an object may take: " + name);
        }
    }

    /** What the store holds at {@code path} now (a HEAD and a one-key listing), for creating and removing. */
    private static Optional<ObjectInfo> storeHas(Inode dir, String path) throws FsException {
        try {
            return dir.volume.backend.stat(path);
        } catch (dev.msfs.backend.BackendException e) {
            if (e.kind() == dev.msfs.backend.BackendException.Kind.NOT_FOUND) {
                return Optional.empty(); // no bucket: nothing there either; a write will say what the store thinks of it
            }
            throw Namespace.backendFailure(dir.volume, "stat " + path, e);
        }
    }

    /** A file created and opened for writing: its entry (counted as a lookup) and its handle. */
    public record Created(Entry entry, long fh) {
    }

    /**
     * Creates {@code name} in {@code parent} and opens it for writing; an object already there is
     * replaced at the first commit, unless {@code exclusive} (O_EXCL: EEXIST).
     */
    public Created create(long parent, String name, boolean exclusive) throws FsException {
        Inode dir = writableDir(parent);
        checkName(name);
        Optional<ObjectInfo> there = storeHas(dir, dir.childPath(name));
        if (there.isPresent() && (exclusive || there.get().directory())) {
            throw new FsException(there.get().directory() ? Errno.EISDIR : Errno.EEXIST, dir.childPath(name) + " exists");
        }
        Inode inode = namespace.ref(dir, new ObjectInfo(name, false, 0, System.currentTimeMillis(), ""), System.nanoTime());
        long fh;
        try {
            fh = writer(inode);
        } catch (FsException e) {
            namespace.forget(inode.ino, 1);
            throw e;
        }
        namespace.changed(dir);
        return new Created(new Entry(namespace.attr(inode), ttlSeconds(), true), fh);
    }

    private long writer(Inode inode) throws FsException {
        if (writeBudget.closed()) {
            throw new FsException(Errno.EROFS, "the mount is going");
        }
        try {
            Writer w = new Writer(inode, spoolDir(), writeBudget, abortRetries);
            inode.volume.openFiles.incrementAndGet();
            long fh = handles.add(w);
            if (writeBudget.closed()) { // dropWrites began after the check above: its list may miss this writer
                discard(fh);
                throw new FsException(Errno.EROFS, "the mount is going");
            }
            return fh;
        } catch (java.io.IOException e) {
            throw new FsException(Errno.EIO, "cannot make a spool file below " + settings.spoolParent() + ": " + e.getMessage());
        }
    }

    private dev.msfs.cache.CacheFolder spool; // guarded by this: made at the first write

    /**
     * This mount's spool folder ({@link dev.msfs.cache.CacheFolder}): below cache_dir_path, with a
     * random name, msfs's user's alone, so no other user can swap a spool file for a link before
     * it is uploaded by name; removed at close, or by the next mount after a kill.
     */
    private synchronized java.nio.file.Path spoolDir() throws java.io.IOException {
        if (spool == null) {
            spool = dev.msfs.cache.CacheFolder.create(settings.spoolParent(), "msfs-writes-");
        }
        return spool.dir();
    }

    /** A handle the kernel never got (its create reply failed): closed without storing anything. */
    public void discard(long fh) {
        Writer w = handles.removeWriter(fh);
        if (w != null) {
            w.close();
            namespace.released(w.inode.volume);
        }
    }

    /** Appends to a file opened for writing; returns the byte count. Writes anywhere but the end are EINVAL. */
    public long write(long fh, long offset, MemorySegment data) throws FsException {
        Writer w = handles.writer(fh);
        if (w == null) {
            throw new FsException(Errno.EBADF, "not open for writing");
        }
        return w.write(offset, data);
    }

    /**
     * close(2) of a handle (or a dup of it), and fsync: a file opened for writing is committed,
     * what it holds so far stored as the object, and a failure is this call's error. A barrier:
     * once it returns 0 the store has every byte written before it. Nothing for a reader.
     */
    public void flush(long fh) throws FsException {
        Writer w = handles.writer(fh);
        if (w != null) {
            commit(w);
        }
    }

    private void commit(Writer w) throws FsException {
        w.commit(info -> {
            namespace.learn(w.inode, new ObjectInfo(w.inode.known.info().name(), false, info.size(), info.mtimeMillis(), info.etag()));
            namespace.changed(namespace.parent(w.inode));
        });
    }

    /** Removes the object {@code name} of {@code parent}. */
    public void unlink(long parent, String name) throws FsException {
        Inode dir = writableDir(parent);
        String path = dir.childPath(name);
        List<Writer> writing = handles.writersOf(dir.volume, path);
        if (writing.isEmpty()) { // a file being written is there, in the store or not yet
            ObjectInfo there = storeHas(dir, path).orElseThrow(() -> new FsException(Errno.ENOENT, "no " + path));
            if (there.directory()) {
                throw new FsException(Errno.EISDIR, path + " is a directory");
            }
        }
        deleteUnderCommits(writing.stream().map(w -> w.inode).distinct().sorted(java.util.Comparator.comparingLong(i -> i.ino))
                .toList(), writing, dir.volume, path);
        namespace.changed(dir);
    }

    /**
     * Marks {@code writing} unlinked and deletes {@code path}, holding every writer's inode lock (in
     * inode order), which each commit holds while it stores: no commit lands between the two, so
     * none brings the object back, and a delete that fails leaves the writers storing as before.
     */
    private static void deleteUnderCommits(List<Inode> locks, List<Writer> writing, Volume volume, String path)
            throws FsException {
        if (!locks.isEmpty()) {
            synchronized (locks.getFirst()) {
                deleteUnderCommits(locks.subList(1, locks.size()), writing, volume, path);
            }
            return;
        }
        writing.forEach(w -> w.unlinked(true));
        try {
            volume.backend.delete(path); // a file never committed has nothing to delete: no error
        } catch (dev.msfs.backend.BackendException e) {
            writing.forEach(w -> w.unlinked(false));
            throw Namespace.backendFailure(volume, "delete " + path, e);
        }
    }

    /**
     * Makes directory {@code name} in {@code parent}: a folder marker object ({@code name/}), so
     * the directory is in the store at once, for every mount, and stays after a remount.
     */
    public Entry mkdir(long parent, String name) throws FsException {
        Inode dir = writableDir(parent);
        checkName(name);
        String path = dir.childPath(name);
        if (storeHas(dir, path).isPresent()) {
            throw new FsException(Errno.EEXIST, path + " exists");
        }
        java.nio.file.Path empty = null;
        try {
            empty = java.nio.file.Files.createTempFile(spoolDir(), "marker-", "");
            dir.volume.backend.put(path + "/", empty);
        } catch (java.io.IOException e) {
            throw new FsException(Errno.EIO, "cannot make a spool file below " + settings.spoolParent() + ": " + e.getMessage());
        } catch (dev.msfs.backend.BackendException e) {
            throw Namespace.backendFailure(dir.volume, "mkdir " + path, e);
        } finally {
            if (empty != null) {
                empty.toFile().delete();
            }
        }
        namespace.changed(dir);
        Inode inode = namespace.ref(dir, ObjectInfo.dir(name, System.currentTimeMillis()), System.nanoTime());
        return new Entry(namespace.attr(inode), ttlSeconds(), true);
    }

    /** Removes the empty directory {@code name} of {@code parent} (its folder marker); ENOTEMPTY while it holds anything. */
    public void rmdir(long parent, String name) throws FsException {
        Inode dir = writableDir(parent);
        String path = dir.childPath(name);
        Optional<ObjectInfo> found = storeHas(dir, path);
        if (found.isEmpty()) { // a store that lists a lone folder marker only in its parent (S3Proxy 2.6.0)
            namespace.changed(dir);
            found = Optional.ofNullable(namespace.listing(dir).byName().get(name));
        }
        ObjectInfo there = found.orElseThrow(() -> new FsException(Errno.ENOENT, "no " + path));
        if (!there.directory()) {
            throw new FsException(Errno.ENOTDIR, path + " is not a directory");
        }
        try {
            if (!dir.volume.backend.list(path + "/", null).entries().isEmpty()) {
                throw new FsException(Errno.ENOTEMPTY, path + " is not empty");
            }
            dir.volume.backend.delete(path + "/");
        } catch (dev.msfs.backend.BackendException e) {
            throw Namespace.backendFailure(dir.volume, "rmdir " + path, e);
        }
        namespace.changed(dir);
    }

    /**
     * setattr on a writable backend. A size: on a file being written (the handle {@code fh}, or
     * else any writer of the inode), its size or more (the gap reads as zeros); on a file not being
     * written, its size only. A smaller size is ENOTSUP: objects are written whole, and only O_TRUNC
     * truncates. Times, modes and owners are not the store's to keep: accepted and ignored, so
     * that touch and cp -p work. Read-only backends refuse it (EROFS).
     */
    public Attr setattr(long ino, long fh, boolean setsSize, long size) throws FsException {
        Inode inode = namespace.known(ino);
        if (inode.volume == null || !writable(inode.volume)) {
            throw new FsException(Errno.EROFS, "read-only file system");
        }
        Writer w = inode.directory ? null : fh > 0 && handles.writer(fh) != null ? handles.writer(fh) : handles.writerOf(inode);
        if (setsSize) {
            if (w != null) {
                w.extendTo(size);
            } else if (inode.directory || size != inode.known.info().size()) {
                throw new FsException(Errno.ENOTSUP, inode.path + ": objects are written whole; only O_TRUNC truncates");
            }
        }
        return w != null ? withSize(namespace.attr(inode), w.size()) : namespace.attr(inode);
    }

    /** rename: objects cannot be renamed in place; EXDEV makes mv copy and remove instead. */
    public void rename(long parent) throws FsException {
        writableDir(parent);
        throw new FsException(Errno.EXDEV, "objects are not renamed in place");
    }

    /** What no backend takes (links, special files, extended attributes): EROFS where nothing is writable, else ENOTSUP. */
    public void refuseMutation(long ino) throws FsException {
        Inode inode = namespace.known(ino);
        throw inode.volume != null && writable(inode.volume)
                ? new FsException(Errno.ENOTSUP, "objects have no links, special files or extended attributes")
                : new FsException(Errno.EROFS, "read-only file system");
    }

    /** Where the cache's lines live, for the log. */
    public String cacheStorage() {
        return cache.lineCount() + " lines of " + cache.lineSize() + " bytes in " + cache.storage();
    }

    public CacheStats cacheStats() {
        return cache.stats();
    }

    /** Drops every cached line not being fetched; returns how many. Inodes need no draining: msfs forgets each as the kernel does. */
    public int drain() {
        return cache.drain();
    }

    /** Stops prefetching, frees the cache and closes every backend; call only after the mount stopped serving. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            dropWrites();
            removeSpool();
            prefetcher.close();
            cache.close();
            namespace.close();
        }
    }

    /**
     * Drops every file open for writing (the kernel is gone, or going: nothing can see a commit's
     * error any more) and aborts their uploads in parts, retrying those the store refused once
     * more; before the backends close.
     */
    public void dropWrites() {
        if (!writesDropping.compareAndSet(false, true)) {
            try { // another thread drops them (the shutdown hook, or close): wait for it, within reason
                writesDropped.get(DROP_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warning("the files open for writing were still being dropped after " + DROP_WAIT_SECONDS + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            writeBudget.close(); // first, without any writer's lock: waits end, no part or commit starts
            List<Writer> open = handles.allWriters();
            try (var closing = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (Writer w : open) { // at once: each waits at most for its parts in flight
                    closing.submit(() -> {
                        LOG.warning("unmounted while " + w.inode.path + " was open for writing; what was not committed is lost");
                        w.close();
                    });
                }
            }
            abortRetries.close();
        } finally {
            writesDropped.complete(null);
        }
    }

    private synchronized void removeSpool() {
        if (spool != null) {
            spool.close();
        }
    }

    /** Bytes written to files and not yet in the store (write_deferral_max_bytes caps them), for metrics. */
    public long writeBuffered() {
        return writeBudget.held();
    }

    /** The most {@link #writeBuffered} has been since mount, for metrics. */
    public long writeBufferedPeak() {
        return writeBudget.peak();
    }

    /** Open file and directory handles, for metrics and tests. */
    public int openHandles() {
        return handles.count();
    }

    public int inodeCount() {
        return namespace.inodeCount();
    }

    /** msfs's locks, measured: the cache's and the inode table's (the endpoint's /locks and /hang). */
    public List<dev.msfs.metrics.MeasuredLock> locks() {
        return List.of(cache.measuredLock(), namespace.inodeLock());
    }

    /** The inodes the kernel holds, one line each ("ino d|f lookups backend/path"), {@code max} at most (MSFS's /dump). */
    public List<String> dump(int max) {
        return namespace.dump(max);
    }

    long lookupCount(long ino) {
        return namespace.lookupCount(ino);
    }
}
