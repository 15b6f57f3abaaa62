package dev.msfs.backend;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** Reports every request of the backend it wraps (op name as MSFS's: list_directory, stat_file, read_file). */
public final class MeteredBackend implements Backend {
    /** Told about each request: its op, whether it succeeded, how long it took. */
    @FunctionalInterface
    public interface Observer {
        void ended(String op, boolean ok, long nanos);
    }

    private final Backend inner;
    private final Observer observer;

    public MeteredBackend(Backend inner, Observer observer) {
        this.inner = inner;
        this.observer = observer;
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            ListPage page = inner.list(dir, continuation);
            ok = true;
            return page;
        } finally {
            observer.ended("list_directory", ok, System.nanoTime() - t0);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Optional<ObjectInfo> info = inner.stat(path);
            ok = true;
            return info;
        } finally {
            observer.ended("stat_file", ok, System.nanoTime() - t0);
        }
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            long n = inner.read(path, etag, offset, dst);
            ok = true;
            return n;
        } finally {
            observer.ended("read_file", ok, System.nanoTime() - t0);
        }
    }

    @Override
    public void close() {
        inner.close();
    }
}
