package dev.msfs.backend;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * A directory on local disk, presented read-only: the passthrough baseline of the benchmarks and
 * the simplest real backend. msfs runs as root, so this backend must not lend root's reach to the
 * users of the mount:
 * <ul>
 * <li>each file and directory reports its own mode, owner and group ({@link SourceMode}), and the
 *     mount never grants more than they do;
 * <li>a symbolic link is followed only while its target lies beneath the backend's root, unless
 *     {@code follow_symlinks_outside} says otherwise; a link that leaves is hidden. The check is
 *     made on the inode actually opened ({@link PathHandle}), so a link swapped between the check
 *     and the read cannot escape;
 * <li>entries that are neither regular files nor directories (sockets, devices, FIFOs, dangling
 *     links) are hidden.
 * </ul>
 */
public final class LocalBackend implements Backend {
    private static final Logger LOG = Logger.getLogger(LocalBackend.class.getName());
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;

    private final Path root;
    private final boolean followSymlinksOutside;
    private final int pageSize;
    private final SourceMode rootMode;
    private final AtomicBoolean escapeLogged = new AtomicBoolean();

    /** @param prefix a sub-path of base ("" or ending in '/') that acts as the root, like an S3 prefix */
    public LocalBackend(Path base, String prefix, int pageSize, boolean followSymlinksOutside) throws BackendException {
        Path configured = base.toAbsolutePath().resolve(prefix).normalize();
        this.root = realPathOrSelf(configured);
        this.followSymlinksOutside = followSymlinksOutside;
        this.pageSize = pageSize > 0 ? pageSize : 1000;
        try {
            this.rootMode = opened(root, "", (opened, attrs) -> toInfo("", attrs)).map(ObjectInfo::source).orElse(SourceMode.UNRESTRICTED);
        } catch (IOException e) {
            throw failure("stat " + configured, e);
        }
    }

    @Override
    public SourceMode rootMode() {
        return rootMode;
    }

    @Override
    public String describe() {
        return "LOCAL " + root;
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        try {
            return opened(resolve(dir), dir, (name, attrs) -> isType(attrs, S_IFDIR) ? page(name, dir, continuation) : null)
                    .orElseGet(() -> new ListPage(List.of(), null));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return new ListPage(List.of(), null);
        } catch (IOException e) {
            throw failure("list " + dir, e);
        }
    }

    private ListPage page(Path opened, String dir, String continuation) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(opened)) {
            for (Path p : entries) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(null);
        int start = continuation == null ? 0 : firstAfter(names, continuation);
        List<ObjectInfo> page = new ArrayList<>();
        int i = start;
        for (; i < names.size() && page.size() < pageSize; i++) {
            String name = names.get(i);
            opened(opened.resolve(name), dir + name, (entry, attrs) -> toInfo(name, attrs)).ifPresent(page::add);
        }
        return new ListPage(page, i < names.size() ? names.get(i - 1) : null);
    }

    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        try {
            return opened(resolve(path), path, (opened, attrs) -> toInfo(Paths.baseName(path), attrs));
        } catch (IOException e) {
            throw failure("stat " + path, e);
        }
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        try {
            return opened(resolve(path), path, (name, attrs) -> isType(attrs, S_IFREG) ? readInto(name, offset, dst) : null)
                    .orElseThrow(() -> new NoSuchFileException(path));
        } catch (IOException e) {
            throw failure("read " + path, e);
        }
    }

    private static long readInto(Path file, long offset, MemorySegment dst) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = dst.asByteBuffer();
            long pos = offset;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
            return pos - offset;
        }
    }

    @FunctionalInterface
    private interface Use<T> {
        /** @param opened a name of the very inode checked; null result means "nothing usable here" */
        T apply(Path opened, Map<String, Object> attrs) throws IOException;
    }

    /**
     * Opens {@code p} (following links), refuses it when it lies outside the root, and hands the
     * opened inode to {@code use}. Empty when nothing usable is there.
     */
    private <T> Optional<T> opened(Path p, String shownAs, Use<T> use) throws IOException {
        Optional<PathHandle> handle = PathHandle.open(p);
        if (handle.isEmpty()) {
            return Optional.empty();
        }
        try (PathHandle h = handle.get()) {
            if (!followSymlinksOutside && !Files.readSymbolicLink(h.name()).startsWith(root)) {
                if (escapeLogged.compareAndSet(false, true)) {
                    LOG.info("LOCAL " + root + ": hiding " + shownAs + ", a symbolic link that leads outside"
                            + " base_path (follow_symlinks_outside: true follows such links; logged once)");
                }
                return Optional.empty();
            }
            return Optional.ofNullable(use.apply(h.name(), Files.readAttributes(h.name(), "unix:mode,uid,gid,size,lastModifiedTime")));
        }
    }

    private static boolean isType(Map<String, Object> attrs, int type) {
        return ((Integer) attrs.get("mode") & S_IFMT) == type;
    }

    private static ObjectInfo toInfo(String name, Map<String, Object> attrs) {
        int mode = (Integer) attrs.get("mode");
        SourceMode source = new SourceMode(mode & 0777, (Integer) attrs.get("uid"), (Integer) attrs.get("gid"));
        long mtime = ((FileTime) attrs.get("lastModifiedTime")).toMillis();
        if ((mode & S_IFMT) == S_IFDIR) {
            return new ObjectInfo(name, true, 0, mtime, "", source);
        }
        if ((mode & S_IFMT) == S_IFREG) {
            long size = (Long) attrs.get("size");
            return new ObjectInfo(name, false, size, mtime, Long.toHexString(mtime) + "-" + Long.toHexString(size), source);
        }
        return null;
    }

    private Path resolve(String path) throws BackendException {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "path escapes the backend's root: " + path);
        }
        return p;
    }

    private static Path realPathOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p; // a prefix not created yet lists as empty
        }
    }

    private static int firstAfter(List<String> sorted, String name) {
        int i = java.util.Collections.binarySearch(sorted, name);
        return i >= 0 ? i + 1 : -i - 1;
    }

    private static BackendException failure(String what, IOException e) {
        BackendException.Kind kind = e instanceof NoSuchFileException ? BackendException.Kind.NOT_FOUND
                : e instanceof AccessDeniedException ? BackendException.Kind.ACCESS_DENIED
                : BackendException.Kind.IO;
        return new BackendException(kind, what + ": " + e.getMessage(), e);
    }
}
