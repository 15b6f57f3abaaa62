package dev.msfs.backend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file opened with {@code O_PATH}: a handle that neither reads the file nor blocks on it (a FIFO,
 * a device), through which {@code /proc/self/fd/N} names exactly the inode that was opened,
 * whatever happens to its path afterwards. Checking that inode and then using it through that
 * name leaves no window between check and use (see {@link LocalBackend}).
 *
 * <p>Plain FFM downcalls to libc's {@code open} and {@code close}, not libfuse: nothing for
 * jextract to generate.
 */
final class PathHandle implements AutoCloseable {
    // Linux's generic values, the same on x86-64 and arm64 (asm-generic/fcntl.h).
    private static final int O_PATH = 010000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int ELOOP = 40;
    private static final int ENAMETOOLONG = 36;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        OPEN = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
        CLOSE = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private final int fd;

    private PathHandle(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code path}, following symbolic links; empty when nothing is there to open (no such
     * file, a dangling or looping link, a component that is not a directory).
     */
    static Optional<PathHandle> open(Path path) throws IOException {
        int fd;
        int errno;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_PATH | O_CLOEXEC, 0);
            errno = (int) ERRNO.get(state, 0L);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (fd >= 0) {
            return Optional.of(new PathHandle(fd));
        }
        return switch (errno) {
            case ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG -> Optional.empty();
            case EACCES -> throw new AccessDeniedException(path.toString());
            default -> throw new FileSystemException(path.toString(), null, "open failed, errno " + errno);
        };
    }

    /** The name through which the kernel reaches the very inode this handle holds. */
    Path name() {
        return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public void close() {
        try {
            int unused = (int) CLOSE.invokeExact(fd); // closing an O_PATH descriptor has nothing to flush or report
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
