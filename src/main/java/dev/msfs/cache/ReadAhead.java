package dev.msfs.cache;

/**
 * Per open file: decides how many lines to prefetch after each read. A read that continues where
 * the previous one ended (within a little slack: the kernel's parallel read-ahead requests reach
 * msfs slightly out of order) makes the reader sequential, and its window then grows by one line
 * per line it moves into, up to the limit. Any jump resets it to nothing, so random readers never
 * prefetch.
 *
 * <p>No lock: concurrent reads of one handle race on these hints (each field is volatile, so none
 * is torn), and the worst a race does is one prefetch more or less.
 */
public final class ReadAhead {
    private static final long SLACK = 256 << 10;
    private volatile long expectedOffset = -1;
    private volatile long lastTriggerLine = -1;
    private volatile int window;

    /** Lines to prefetch after a read of {@code n} bytes at {@code offset}; 0 means none. */
    public int after(long offset, long n, long lineSize, int limit) {
        long expected = expectedOffset;
        boolean sequential = expected >= 0 && Math.abs(offset - expected) <= SLACK;
        expectedOffset = sequential ? Math.max(expected, offset + n) : offset + n;
        if (!sequential) {
            window = 0;
            lastTriggerLine = -1;
            return 0;
        }
        long line = (offset + n - 1) / lineSize;
        if (line == lastTriggerLine) {
            return 0;
        }
        lastTriggerLine = line;
        int grown = Math.min(limit, window + 1);
        window = grown;
        return grown;
    }
}
