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
 * The folder of one mount's cache files below {@code cache_dir_path}, named {@code msfs-cache-*}.
 * Its {@code lock} file is held with {@code flock} while the mount lives, so a folder whose lock
 * nobody holds was left by a killed msfs: the next mount removes it. A clean exit removes its own.
 */
final class CacheFolder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CacheFolder.class.getName());
    static final String PREFIX = "msfs-cache-";
    private static final String LOCK = "lock";

    private final Path dir;
    private final int lockFd;

    private CacheFolder(Path dir, int lockFd) {
        this.dir = dir;
        this.lockFd = lockFd;
    }

    /** A new folder below {@code parent}, once the folders of killed runs are gone. */
    static CacheFolder create(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            throw new IOException("cache_dir_path " + parent + " is not a directory");
        }
        removeStale(parent);
        Path dir;
        try {
            dir = Files.createTempDirectory(parent, PREFIX);
        } catch (IOException e) {
            throw new IOException("cache_dir_path " + parent + ": cannot create the cache's folder: " + e, e);
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

    Path dir() {
        return dir;
    }

    /** Removes the folder and all in it, then lets go of the lock. */
    @Override
    public void close() {
        deleteQuietly(dir);
        Libc.close(lockFd);
    }

    private static void removeStale(Path parent) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
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
                LOG.info("removing " + d + ", the cache of an msfs that did not exit cleanly");
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
