package dev.msfs.cache;

/**
 * Per open file: decides how many lines to prefetch after each read. A reader that continues
 * where it left off (within a little slack, since the kernel sends parallel reads slightly out of
 * order) is sequential, and its window grows by one line per line it finishes, up to the limit;
 * any jump resets it to nothing, so random readers never prefetch.
 */
public final class ReadAhead {
    private static final long SLACK = 1 << 20;
    private long expectedOffset;   // a stream starting at 0 counts as sequential
    private long lastTriggerLine = -1;
    private int window;

    /** Lines to prefetch after a read of {@code n} bytes at {@code offset}; 0 means none. */
    public synchronized int after(long offset, long n, long lineSize, int limit) {
        boolean sequential = Math.abs(offset - expectedOffset) <= SLACK;
        expectedOffset = Math.max(expectedOffset, offset + n);
        if (!sequential) {
            expectedOffset = offset + n;
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
