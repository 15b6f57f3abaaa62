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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A directory on local disk, presented read-only: the passthrough baseline of the benchmarks and
 * the simplest real backend. Symbolic links are followed; entries that are neither regular files
 * nor directories (sockets, devices, dangling links) are left out.
 */
public final class LocalBackend implements Backend {
    private final Path root;
    private final int pageSize;

    /** @param prefix a sub-path of base ("" or ending in '/') that acts as the root, like an S3 prefix */
    public LocalBackend(Path base, String prefix, int pageSize) {
        this.root = base.toAbsolutePath().resolve(prefix).normalize();
        this.pageSize = pageSize > 0 ? pageSize : 1000;
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        Path d = resolve(dir);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
            for (Path p : entries) {
                names.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return new ListPage(List.of(), null);
        } catch (IOException e) {
            throw failure("list " + dir, e);
        }
        names.sort(null);
        int start = continuation == null ? 0 : firstAfter(names, continuation);
        List<ObjectInfo> page = new ArrayList<>();
        int i = start;
        for (; i < names.size() && page.size() < pageSize; i++) {
            info(d.resolve(names.get(i)), names.get(i)).ifPresent(page::add);
        }
        return new ListPage(page, i < names.size() ? names.get(i - 1) : null);
    }

    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        return info(resolve(path), Paths.baseName(path));
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        try (FileChannel ch = FileChannel.open(resolve(path), StandardOpenOption.READ)) {
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
        } catch (IOException e) {
            throw failure("read " + path, e);
        }
    }

    private Optional<ObjectInfo> info(Path p, String name) throws BackendException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            long mtime = a.lastModifiedTime().toMillis();
            if (a.isDirectory()) {
                return Optional.of(ObjectInfo.dir(name, mtime));
            }
            if (a.isRegularFile()) {
                return Optional.of(new ObjectInfo(name, false, a.size(), mtime,
                        Long.toHexString(mtime) + "-" + Long.toHexString(a.size())));
            }
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("stat " + name, e);
        }
    }

    private Path resolve(String path) throws BackendException {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "path escapes the backend's root: " + path);
        }
        return p;
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
