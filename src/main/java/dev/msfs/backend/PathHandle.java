package dev.msfs.backend;

import dev.msfs.sys.ErrnoException;
import dev.msfs.sys.Libc;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file opened with {@code O_PATH}: a handle that neither reads the file nor blocks on it (a FIFO,
 * a device), through which {@code /proc/self/fd/N} names exactly the inode that was opened,
 * whatever happens to its path afterwards. Checking that inode and then using it through that
 * name leaves no window between check and use (see {@link LocalBackend}).
 */
final class PathHandle implements AutoCloseable {
    private final int fd;

    private PathHandle(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code path}, following symbolic links; empty when nothing is there to open (no such
     * file, a dangling or looping link, a component that is not a directory).
     */
    static Optional<PathHandle> open(Path path) throws IOException {
        try {
            return Optional.of(new PathHandle(Libc.open(path, Libc.O_PATH | Libc.O_CLOEXEC, 0)));
        } catch (ErrnoException e) {
            return switch (e.errno()) {
                case ErrnoException.ENOENT, ErrnoException.ENOTDIR, ErrnoException.ELOOP, ErrnoException.ENAMETOOLONG ->
                        Optional.empty();
                case ErrnoException.EACCES -> throw new AccessDeniedException(path.toString());
                default -> throw e;
            };
        }
    }

    /** The name through which the kernel reaches the very inode this handle holds. */
    Path name() {
        return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
