package dev.msfs.fuse;

/** Told about every FUSE request served (for metrics); must be fast and thread-safe. */
@FunctionalInterface
public interface OpObserver {
    OpObserver NONE = (op, backend, ok, nanos) -> { };

    /** @param backend the dir_name of the backend the request was about, or null (the root, an inode gone) */
    void served(String op, String backend, boolean ok, long nanos);

    /** A read's size: the bytes it returned, or, failed, the bytes it asked for. */
    default void readSize(boolean ok, long bytes) {
    }

    /** A {@code readdir} or {@code readdirplus} reply is about to carry {@code count} entries. */
    default void entries(String op, int count) {
    }
}
