package dev.msfs.fs;

import dev.msfs.backend.BackendException;

/** The Linux errno values msfs answers with, and how backend failures map onto them. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ENODATA = 61;
    public static final int ENOTSUP = 95;

    private Errno() {
    }

    /**
     * Truthful mapping: only a definite "not there" is ENOENT and only a definite refusal is
     * EACCES; a changed object, a timeout or any other failure is EIO (never ENOENT, so a flaky
     * store does not make files seem to vanish).
     */
    public static int of(BackendException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> ENOENT;
            case ACCESS_DENIED -> EACCES;
            case CHANGED, TIMEOUT, IO -> EIO;
        };
    }
}
