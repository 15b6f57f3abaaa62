package dev.msfs.cache;

/**
 * Per open file: decides how many lines to prefetch after each read. A read that continues where
 * the previous one ended (within a little slack: the kernel's parallel read-ahead requests reach
 * msfs slightly out of order) makes the reader sequential, and its window then grows by one line
 * per line it moves into, up to the limit. Any jump resets it to nothing, so random readers never
 * prefetch.
 */
public final class ReadAhead {
    private static final long SLACK = 256 << 10;
    private long expectedOffset = -1;
    private boolean sequential;
    private long lastTriggerLine = -1;
    private int window;

    /** Lines to prefetch after a read of {@code n} bytes at {@code offset}; 0 means none. */
    public synchronized int after(long offset, long n, long lineSize, int limit) {
        sequential = expectedOffset >= 0 && Math.abs(offset - expectedOffset) <= SLACK;
        expectedOffset = sequential ? Math.max(expectedOffset, offset + n) : offset + n;
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
        window = Math.min(limit, window + 1);
        return window;
    }
}
