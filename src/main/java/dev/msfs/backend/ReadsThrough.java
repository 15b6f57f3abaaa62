package dev.msfs.backend;

import java.lang.foreign.MemorySegment;

/**
 * A backend that answers listings its own way and leaves every read, and its closing, to the
 * store it wraps: AIStore listed through S3 ({@link RoutedBackend}), a backend listed from its
 * manifest.
 */
public abstract class ReadsThrough implements Backend {
    protected final Backend reading;

    protected ReadsThrough(Backend reading) {
        this.reading = reading;
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        return reading.read(path, etag, offset, dst);
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return reading.read(path, etag, offset, dst, arrivals);
    }

    @Override
    public long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        return reading.readWhole(path, etag, dst);
    }

    @Override
    public void close() {
        reading.close();
    }
}
