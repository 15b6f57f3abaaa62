package dev.msfs.backend;

import dev.msfs.config.TypeSettings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32;

/**
 * MSFS's synthetic tree: the root (depth 0) holds {@code files_at_depth_0} files and
 * {@code subdirectories_at_depth_0} directories, each of those the counts for depth 1, and so on
 * down to depth 3. Unlike MSFS's all-zero files, content here is a deterministic function of the
 * file's path and offset ({@link #contentByte}), so any byte read anywhere can be verified without
 * storing the file. Optional minimum latencies make it a stand-in for a slow store.
 */
public final class PseudoBackend implements Backend {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TypeSettings.Pseudo s;
    private final NumberedName dirs;
    private final NumberedName files;
    private final long mtime = System.currentTimeMillis();

    public PseudoBackend(TypeSettings.Pseudo settings) {
        this.s = settings;
        this.dirs = new NumberedName(settings.dirNameFormat());
        this.files = new NumberedName(settings.fileNameFormat());
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        pause(s.minLatencyListMillis());
        int depth = depthOfDir(dir);
        if (depth < 0) {
            return new ListPage(List.of(), null);
        }
        long subdirCount = depth < 3 ? s.subdirectoriesAtDepth()[depth] : 0;
        long fileCount = s.filesAtDepth()[depth];
        long total = subdirCount + fileCount;
        long start = continuation == null ? 0 : Long.parseLong(continuation);
        long end = Math.min(total, start + s.maxListPageSize());
        List<ObjectInfo> page = new ArrayList<>((int) (end - start));
        for (long i = start; i < end; i++) {
            page.add(i < subdirCount ? ObjectInfo.dir(dirs.name(s.dirStartingNumber() + i), mtime)
                    : fileInfo(dir + files.name(s.fileStartingNumber() + i - subdirCount)));
        }
        return new ListPage(page, end < total ? Long.toString(end) : null);
    }

    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        pause(s.minLatencyStatMillis());
        int slash = path.lastIndexOf('/');
        String parent = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        int depth = depthOfDir(parent);
        if (depth < 0) {
            return Optional.empty();
        }
        if (depth < 3 && within(dirs.number(name), s.dirStartingNumber(), s.subdirectoriesAtDepth()[depth])) {
            return Optional.of(ObjectInfo.dir(name, mtime));
        }
        if (within(files.number(name), s.fileStartingNumber(), s.filesAtDepth()[depth])) {
            return Optional.of(fileInfo(path));
        }
        return Optional.empty();
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        pause(s.minLatencyReadMillis());
        long n = Math.max(0, Math.min(dst.byteSize(), s.fileSize() - offset));
        fill(seed(path), offset, dst.asSlice(0, n));
        return n;
    }

    /** The byte at {@code offset} of the pseudo file at {@code path} (relative to the backend root). */
    public static byte contentByte(String path, long offset) {
        return byteAt(seed(path), offset);
    }

    /** Writes the content of the pseudo file at {@code path}, from {@code offset}, into all of {@code dst}. */
    public static void contentInto(String path, long offset, MemorySegment dst) {
        fill(seed(path), offset, dst);
    }

    private static byte byteAt(long seed, long offset) {
        return (byte) (word(seed, offset >>> 3) >>> ((offset & 7) * 8));
    }

    /** Writes the content of the file with this seed, from {@code offset}, into all of {@code dst}. */
    static void fill(long seed, long offset, MemorySegment dst) {
        long len = dst.byteSize();
        long i = 0;
        while (i < len && ((offset + i) & 7) != 0) { // head up to a word boundary
            dst.set(ValueLayout.JAVA_BYTE, i, byteAt(seed, offset + i));
            i++;
        }
        for (; i + 8 <= len; i += 8) {
            dst.set(WORD, i, word(seed, (offset + i) >>> 3));
        }
        for (; i < len; i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, byteAt(seed, offset + i));
        }
    }

    static long seed(String path) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the UTF-8 path
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    private static long word(long seed, long index) { // splitmix64 of (seed, word index)
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private ObjectInfo fileInfo(String path) {
        CRC32 crc = new CRC32();
        crc.update(path.getBytes(StandardCharsets.UTF_8));
        return new ObjectInfo(Paths.baseName(path), false, s.fileSize(), mtime, Long.toHexString(crc.getValue()));
    }

    /** Depth of a directory path ("" is 0), or -1 if no such directory exists. */
    private int depthOfDir(String dir) {
        if (dir.isEmpty()) {
            return 0;
        }
        String[] parts = dir.substring(0, dir.length() - 1).split("/", -1);
        if (parts.length > 3) {
            return -1;
        }
        for (int d = 0; d < parts.length; d++) {
            if (!within(dirs.number(parts[d]), s.dirStartingNumber(), s.subdirectoriesAtDepth()[d])) {
                return -1;
            }
        }
        return parts.length;
    }

    private static boolean within(OptionalLong n, long start, long count) {
        return n.isPresent() && n.getAsLong() >= start && n.getAsLong() - start < count;
    }

    private static void pause(long millis) throws BackendException {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.IO, "interrupted");
            }
        }
    }
}
