package dev.msfs.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Real files on disk for LOCAL-backend mounts: varied sizes, awkward names, one huge directory. */
final class TestTrees {
    static final String BIG_DIR = "big dir";
    static final int BIG_DIR_ENTRIES = 10_000;

    private TestTrees() {
    }

    static void build(Path root) throws IOException {
        Random random = new Random(42);
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("empty dir"));
        write(root.resolve("zero"), 0, random);
        write(root.resolve("one byte"), 1, random);
        write(root.resolve("a/page"), 4096, random);
        write(root.resolve("a/page+1"), 4097, random);
        write(root.resolve("a/b/odd size"), 1_048_576 + 7, random);
        write(root.resolve("a/b/c/five mib"), 5 << 20, random);
        write(root.resolve("ünïcødé ☃ name.txt"), 333, random);
        write(root.resolve("with  two spaces"), 12, random);
        write(root.resolve("日本語のファイル"), 100, random);
        Path big = Files.createDirectories(root.resolve(BIG_DIR));
        for (int i = 0; i < BIG_DIR_ENTRIES; i++) {
            Files.write(big.resolve(String.format("f%05d", i)), new byte[] {(byte) i});
        }
    }

    /** Deletes a whole tree (tests' temporary data; some of it is large). */
    static void delete(Path root) throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void write(Path p, int size, Random random) throws IOException {
        byte[] b = new byte[size];
        random.nextBytes(b);
        Files.write(p, b);
    }
}
