package dev.msfs.config;

/**
 * How a writable backend stores a file being written: a file that reaches {@code thresholdBytes}
 * (or that the write budget makes room for) streams as an upload in parts of {@code partBytes},
 * at most {@code partConcurrency} of them in flight; a smaller one is one PutObject at its commit.
 */
public record UploadSettings(long thresholdBytes, long partBytes, int partConcurrency) {
    /** MSFS's multipart_upload_threshold_bytes default. */
    public static final long DEFAULT_THRESHOLD = 64L << 20;
    public static final int DEFAULT_PART_CACHE_LINES = 32;
    public static final int DEFAULT_PART_CONCURRENCY = 32;
    /** S3's least part (all but the last), and its most. */
    public static final long MIN_PART = 5L << 20;
    public static final long MAX_PART = 5L << 30;
    /** S3's most parts in one upload. */
    public static final int MAX_PARTS = 10_000;

    /** The defaults for cache lines of {@code lineSize} bytes. */
    public static UploadSettings defaults(long lineSize) {
        return new UploadSettings(DEFAULT_THRESHOLD, partBytes(DEFAULT_PART_CACHE_LINES, lineSize), DEFAULT_PART_CONCURRENCY);
    }

    /** {@code lines} cache lines, kept within S3's part sizes. */
    public static long partBytes(long lines, long lineSize) {
        return Math.clamp(Math.multiplyHigh(lines, lineSize) != 0 ? MAX_PART : lines * lineSize, MIN_PART, MAX_PART);
    }

    /** The largest object this stores: {@link #MAX_PARTS} parts. */
    public long maxObjectBytes() {
        return partBytes * MAX_PARTS;
    }
}
