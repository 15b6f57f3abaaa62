package dev.msfs.backend;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Reports every request of the backend it wraps: op name as MSFS's (list_directory,
 * stat_directory, stat_file, read_file), what it was about (a path and range), outcome and duration.
 */
public final class MeteredBackend implements Backend {
    /**
     * Told about each request: its op when it starts, and when it ends how it failed (null: it did
     * not), how long it took and the bytes a read brought. A stat starts once its answer tells a
     * file (stat_file) from a directory (stat_directory).
     */
    @FunctionalInterface
    public interface Observer {
        void ended(String op, String target, String failure, long nanos, long bytes);

        default void started(String op) {
        }
    }

    private final Backend inner;
    private final Observer observer;

    public MeteredBackend(Backend inner, Observer observer) {
        this.inner = inner;
        this.observer = observer;
    }

    /** One backend call, whose outcome and time are reported. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws BackendException;
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        return timed("list_directory", dir, () -> inner.list(dir, continuation), r -> 0L);
    }

    @Override
    public boolean listsAfter() {
        return inner.listsAfter();
    }

    @Override
    public ListPage listAfter(String dir, String startAfter, String continuation) throws BackendException {
        return timed("list_directory", dir + " after " + startAfter, () -> inner.listAfter(dir, startAfter, continuation), r -> 0L);
    }

    /** A stat that found a directory is MSFS's stat_directory; any other (a file, none, a failure) its stat_file. */
    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        long t0 = System.nanoTime();
        Optional<ObjectInfo> found = Optional.empty();
        String failure = "Unknown";
        try {
            found = inner.stat(path);
            failure = null;
            return found;
        } catch (BackendException | RuntimeException e) {
            failure = failureOf(e);
            throw e;
        } finally {
            String op = found.isPresent() && found.get().directory() ? "stat_directory" : "stat_file";
            observer.started(op);
            observer.ended(op, path, failure, System.nanoTime() - t0, 0);
        }
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        return read(path, etag, offset, dst, Arrivals.NONE);
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return timed("read_file", path + " @" + offset + "+" + dst.byteSize(), () -> inner.read(path, etag, offset, dst, arrivals),
                n -> n);
    }

    @Override
    public long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        return timed("read_file", path + " @0+" + dst.byteSize() + " (whole)", () -> inner.readWhole(path, etag, dst), n -> n);
    }

    /** @param bytesOf the bytes a successful call brought from the store */
    @Override
    public boolean writable() {
        return inner.writable();
    }

    @Override
    public ObjectInfo put(String path, java.nio.file.Path file) throws BackendException {
        return timed("write_file", path, () -> inner.put(path, file), info -> info.size());
    }

    @Override
    public boolean uploadsInParts() {
        return inner.uploadsInParts();
    }

    /** Each request of an upload in parts counts as a write_file, a part with its bytes. */
    @Override
    public Upload startUpload(String path) throws BackendException {
        Upload upload = timed("write_file", path + " (start)", () -> inner.startUpload(path), u -> 0L);
        return new Upload() {
            @Override
            public void part(int number, java.nio.channels.FileChannel source, long offset, long length) throws BackendException {
                timed("write_file", path + " part " + number, () -> {
                    upload.part(number, source, offset, length);
                    return length;
                }, n -> n);
            }

            @Override
            public ObjectInfo complete(int parts, long size) throws BackendException {
                return timed("write_file", path + " (complete)", () -> upload.complete(parts, size), info -> 0L);
            }

            @Override
            public void abort() throws BackendException {
                timed("write_file", path + " (abort)", () -> {
                    upload.abort();
                    return null;
                }, x -> 0L);
            }
        };
    }

    @Override
    public void delete(String path) throws BackendException {
        timed("delete_file", path, () -> {
            inner.delete(path);
            return null;
        }, x -> 0L);
    }

    private <T> T timed(String op, String target, Call<T> call, java.util.function.ToLongFunction<T> bytesOf)
            throws BackendException {
        observer.started(op);
        long t0 = System.nanoTime();
        String failure = "Unknown";
        long bytes = 0;
        try {
            T result = call.run();
            failure = null;
            bytes = bytesOf.applyAsLong(result);
            return result;
        } catch (BackendException | RuntimeException e) {
            failure = failureOf(e);
            throw e;
        } finally {
            observer.ended(op, target, failure, System.nanoTime() - t0, bytes);
        }
    }

    /** A bounded name for how a request failed: the backend's kind (NOT_FOUND, TIMEOUT, …) or the exception's class. */
    private static String failureOf(Exception e) {
        return e instanceof BackendException b ? b.kind().name() : e.getClass().getSimpleName();
    }

    @Override
    public SourceMode rootMode() {
        return inner.rootMode();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void probe() throws BackendException {
        timed("list_directory", "(probe)", () -> {
            inner.probe();
            return null;
        }, r -> 0L);
    }

    @Override
    public void close() {
        inner.close();
    }
}
