package dev.msfs.backend;

/**
 * Told, while a read is under way, how many bytes from the start of its destination hold their
 * final content, so a reader may follow them as they arrive. Counts only grow. A backend reports
 * only bytes it knows to be of the version asked for (a response whose ETag it checked), and only
 * for ranged reads: a whole-object read whose checksum is verified reports nothing before the end.
 */
@FunctionalInterface
public interface Arrivals {
    /** Reports nothing: the reader waits for the whole read. */
    Arrivals NONE = bytes -> {
    };

    void reached(long bytes);
}
