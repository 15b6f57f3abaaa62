package dev.msfs.sys;

import java.io.IOException;
import java.util.Map;

/** A failed libc call: what was tried and its errno, named the way the C headers name it. */
public final class ErrnoException extends IOException {
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EWOULDBLOCK = 11;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ENAMETOOLONG = 36;
    public static final int ELOOP = 40;
    public static final int EOPNOTSUPP = 95;
    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(1, "EPERM"), Map.entry(ENOENT, "ENOENT"),
            Map.entry(EIO, "EIO"), Map.entry(EWOULDBLOCK, "EWOULDBLOCK"), Map.entry(12, "ENOMEM"), Map.entry(EACCES, "EACCES"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(ENOTDIR, "ENOTDIR"), Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"),
            Map.entry(27, "EFBIG"), Map.entry(ENOSPC, "ENOSPC (no space left on device)"), Map.entry(EROFS, "EROFS (read-only file system)"),
            Map.entry(ENAMETOOLONG, "ENAMETOOLONG"), Map.entry(ELOOP, "ELOOP"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(122, "EDQUOT (disk quota exceeded)"));

    private final int errno;

    public ErrnoException(String what, int errno) {
        super(what + ": " + NAMES.getOrDefault(errno, "errno " + errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
