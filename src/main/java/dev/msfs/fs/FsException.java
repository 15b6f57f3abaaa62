package dev.msfs.fs;

/** An operation that fails with an errno; the message is for the log, never for the kernel. */
public final class FsException extends Exception {
    private final int errno;

    public FsException(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
