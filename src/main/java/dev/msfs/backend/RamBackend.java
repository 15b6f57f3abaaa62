package dev.msfs.backend;

import dev.msfs.config.TypeSettings;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Objects held in memory, keyed like an object store (no directories of their own: a directory
 * exists while some key lies below it). Filled through {@link #put}; used by tests and as the
 * fast in-memory double of a real store.
 */
public final class RamBackend implements Backend {
    private record Obj(MemorySegment bytes, long mtime, String etag) {
    }

    private final ConcurrentSkipListMap<String, Obj> objects = new ConcurrentSkipListMap<>();
    private final TypeSettings.Ram limits;
    private final AtomicLong version = new AtomicLong();
    /** Guards the size accounting of {@link #put}; reads never take it. */
    private final Object writeLock = new Object();
    private long totalBytes;

    public RamBackend(TypeSettings.Ram limits) {
        this.limits = limits;
    }

    /** Stores (or replaces) an object; fails when the configured object count or space would be exceeded. */
    public void put(String key, byte[] content) {
        synchronized (writeLock) {
            Obj old = objects.get(key);
            long newTotal = totalBytes + content.length - (old == null ? 0 : old.bytes.byteSize());
            if (old == null && objects.size() >= limits.maxTotalObjects()) {
                throw new IllegalStateException("RAM backend is full: max_total_objects " + limits.maxTotalObjects());
            }
            if (newTotal > limits.maxTotalObjectSpace()) {
                throw new IllegalStateException("RAM backend is full: max_total_object_space " + limits.maxTotalObjectSpace());
            }
            objects.put(key, new Obj(MemorySegment.ofArray(content.clone()), System.currentTimeMillis(),
                    "v" + version.incrementAndGet()));
            totalBytes = newTotal;
        }
    }

    /** Names after a given one are a tail of the sorted map: the form a continuation has. */
    @Override
    public boolean listsAfter() {
        return true;
    }

    @Override
    public ListPage listAfter(String dir, String startAfter, String continuation) {
        return list(dir, continuation != null ? continuation : startAfter);
    }

    /**
     * Continuation tokens are the last entry's form: its name, plus '/' for a directory, so that an
     * object "x" and a directory "x/" are distinct entries even across a page boundary.
     */
    @Override
    public ListPage list(String dir, String continuation) {
        List<ObjectInfo> page = new ArrayList<>();
        String last = null;
        String from = dir + (continuation == null ? "" : continuation);
        for (Map.Entry<String, Obj> e : objects.tailMap(from, true).entrySet()) {
            if (!e.getKey().startsWith(dir)) {
                break;
            }
            String rest = e.getKey().substring(dir.length());
            int slash = rest.indexOf('/');
            String form = slash < 0 ? rest : rest.substring(0, slash + 1);
            if (form.isEmpty() || form.equals("/") || form.equals(last)
                    || (continuation != null && form.compareTo(continuation) <= 0)) {
                continue;
            }
            if (page.size() == limits.maxListPageSize()) {
                return new ListPage(page, last);
            }
            Obj o = e.getValue();
            page.add(slash < 0 ? new ObjectInfo(form, false, o.bytes.byteSize(), o.mtime, o.etag)
                    : ObjectInfo.dir(rest.substring(0, slash), o.mtime));
            last = form;
        }
        return new ListPage(page, null);
    }

    @Override
    public Optional<ObjectInfo> stat(String path) {
        String dir = path + "/";
        Map.Entry<String, Obj> below = objects.ceilingEntry(dir);
        if (below != null && below.getKey().startsWith(dir)) {
            return Optional.of(ObjectInfo.dir(Paths.baseName(path), below.getValue().mtime));
        }
        Obj o = objects.get(path);
        return o == null ? Optional.empty()
                : Optional.of(new ObjectInfo(Paths.baseName(path), false, o.bytes.byteSize(), o.mtime, o.etag));
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        Obj o = objects.get(path);
        if (o == null) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "no object " + path);
        }
        if (etag != null && !etag.equals(o.etag)) {
            throw new BackendException(BackendException.Kind.CHANGED, path + " changed since it was opened");
        }
        long n = Math.max(0, Math.min(dst.byteSize(), o.bytes.byteSize() - offset));
        MemorySegment.copy(o.bytes, offset, dst, 0, n);
        return n;
    }
}
