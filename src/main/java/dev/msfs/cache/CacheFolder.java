package dev.msfs.cache;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A folder of one mount's files below {@code cache_dir_path}: its cache ({@code msfs-cache-*}) or
 * the spool files of its writes ({@code msfs-writes-*}). Made with a random name, readable and
 * writable by msfs's user alone (no other user can read the data, or swap a file for a link).
 * Its {@code lock} file is held with {@code flock} while the mount lives, so a folder whose lock
 * nobody holds was left by a killed msfs: the next mount removes it. A clean exit removes its own.
 */
public final class CacheFolder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CacheFolder.class.getName());
    static final String PREFIX = "msfs-cache-";
    private static final String LOCK = "lock";

    private final Path dir;
    private final int lockFd;

    private CacheFolder(Path dir, int lockFd) {
        this.dir = dir;
        this.lockFd = lockFd;
    }

    /** A new cache folder below {@code parent}, once the cache folders of killed runs are gone. */
    static CacheFolder create(Path parent) throws IOException {
        return create(parent, PREFIX);
    }

    /** A new folder named {@code prefix…} below {@code parent}, once those of killed runs are gone. */
    public static CacheFolder create(Path parent, String prefix) throws IOException {
        if (!Files.isDirectory(parent)) {
            throw new IOException("cache_dir_path " + parent + " is not a directory");
        }
        removeStale(parent, prefix);
        Path dir;
        try {
            dir = Files.createTempDirectory(parent, prefix, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new IOException("cache_dir_path " + parent + ": cannot create the folder " + prefix + "…: " + e, e);
        }
        try {
            int fd = Libc.open(dir.resolve(LOCK), Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
            Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB);
            return new CacheFolder(dir, fd);
        } catch (ErrnoException e) {
            deleteQuietly(dir);
            throw new IOException("cache_dir_path " + parent + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Removes the folder and all in it, then lets go of the lock. */
    @Override
    public void close() {
        deleteQuietly(dir);
        Libc.close(lockFd);
    }

    private static void removeStale(Path parent, String prefix) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path d : dirs) {
                int fd;
                try {
                    fd = Libc.open(d.resolve(LOCK), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
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
                LOG.info("removing " + d + ", left by an msfs that did not exit cleanly");
                deleteQuietly(d);
            }
        } catch (IOException e) {
            LOG.warning("cannot look for stale caches in " + parent + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warning("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
