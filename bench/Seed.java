import dev.msfs.backend.PseudoBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.IntStream;

/**
 * The benchmark dataset, written straight into S3Proxy's filesystem store (a bucket is a
 * directory): BIGS objects big/bigN.bin of 1 GiB and SMALL objects small/dNNN/eN/fNNNNNN.bin of
 * 64 KiB. Every byte is PseudoBackend's deterministic content for its key, so any read can be
 * checked. Run: java -cp target/msfs.jar bench/Seed.java BUCKET_DIR BIGS SMALL
 */
public class Seed {
    static final long BIG = 1L << 30;
    static final int SMALL_SIZE = 64 << 10;

    static String smallKey(int i) {
        return String.format("small/d%03d/e%d/f%06d.bin", i / 1000, i / 100 % 10, i);
    }

    public static void main(String[] args) throws Exception {
        Path bucket = Path.of(args[0]);
        int bigs = Integer.parseInt(args[1]);
        int small = Integer.parseInt(args[2]);
        IntStream.range(0, bigs).parallel().forEach(i -> write(bucket, "big/big" + i + ".bin", BIG));
        IntStream.range(0, small).parallel().forEach(i -> write(bucket, smallKey(i), SMALL_SIZE));
    }

    static void write(Path bucket, String key, long size) {
        Path file = bucket.resolve(key);
        try (Arena arena = Arena.ofConfined()) {
            Files.createDirectories(file.getParent());
            MemorySegment chunk = arena.allocate(Math.min(size, 8 << 20));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long at = 0; at < size; at += chunk.byteSize()) {
                    MemorySegment part = chunk.asSlice(0, Math.min(chunk.byteSize(), size - at));
                    PseudoBackend.contentInto(key, at, part);
                    ByteBuffer b = part.asByteBuffer();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            }
        } catch (IOException e) {
            throw new RuntimeException(key + ": " + e.getMessage(), e);
        }
    }
}
