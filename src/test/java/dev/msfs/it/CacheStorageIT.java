package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.RamBackend;
import dev.msfs.cache.CacheStats;
import dev.msfs.config.BackendType;
import dev.msfs.config.CacheStorageMode;
import dev.msfs.config.MsfsConfig;
import dev.msfs.config.TypeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The disk modes of {@code cache_storage}: the cache lives in a folder of its own below {@code
 * cache_dir_path}, sparse files made at mount without writing them (mapped-file, the default: one
 * arena; per-inode-file: a file per object), removed at exit, replaced after a killed run; a full
 * cache disk costs caching, never the mount or a byte.
 */
class CacheStorageIT {
    private static final long MIB = 1 << 20;

    private static MsfsConfig config(int lines, Path cacheDir) {
        return config(lines, CacheStorageMode.MAPPED_FILE, cacheDir);
    }

    private static MsfsConfig config(int lines, CacheStorageMode storage, Path cacheDir) {
        return InProcessMount.oneBackend("data", BackendType.RAM, new TypeSettings.Ram(1000, 100, 1 << 26), MIB, lines, 0)
                .toBuilder().cacheStorage(storage, cacheDir).build();
    }

    private static RamBackend ramWith(byte[] content) {
        RamBackend ram = new RamBackend(new TypeSettings.Ram(1000, 100, 1 << 26));
        ram.put("f", content);
        return ram;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals("lock")).sorted().toList();
        }
    }

    private static List<Path> cacheFolders(Path cacheDir) throws IOException {
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("msfs-cache-")).toList();
        }
    }

    /** Bytes of disk the file uses (st_blocks × 512), as du counts them. */
    private static long allocated(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    /** Disk bytes that the files below {@code folder} use. */
    private static long cachedBytes(Path folder) throws Exception {
        long sum = 0;
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                sum += allocated(p);
            }
        }
        return sum;
    }

    @Test
    void theArenaFileIsSparseUntilLinesFillAndGoneAtExit(@TempDir Path mnt, @TempDir Path cacheDir) throws Exception {
        byte[] content = new byte[(int) (8 * MIB)];
        new Random(3).nextBytes(content);
        try (InProcessMount m = new InProcessMount(config(1024, cacheDir), List.of(ramWith(content)), mnt)) { // a 1 GiB arena
            List<Path> folders = cacheFolders(cacheDir);
            assertEquals(1, folders.size(), folders.toString());
            Path arena = folders.getFirst().resolve("arena"); // beside the folder's lock
            assertEquals(1024 * MIB, Files.size(arena));
            assertTrue(allocated(arena) < MIB, "the arena was written at mount: " + allocated(arena) + " bytes");
            assertArrayEquals(content, Files.readAllBytes(mnt.resolve("data/f")));
            assertArrayEquals(content, Files.readAllBytes(mnt.resolve("data/f")));
            long used = allocated(arena);
            assertTrue(used >= 8 * MIB && used < 16 * MIB, "8 lines filled, " + used + " bytes allocated");
            CacheStats s = m.fs.cacheStats();
            assertTrue(s.hits() > 0 && s.uncachedReads() == 0, s.toString());
        }
        assertEquals(List.of(), cacheFolders(cacheDir), "the cache folder outlived the mount");
    }

    /**
     * per-inode-file: a sparse file per object, each line at its offset; an evicted line's blocks go
     * back to the disk, and a file goes with its last line. 8 MiB read through 4 lines of 1 MiB:
     * at most the 4 resident lines stay allocated.
     */
    @Test
    void aFilePerObjectGivesBackEvictedLinesAndGoesWithTheLast(@TempDir Path mnt, @TempDir Path cacheDir) throws Exception {
        RamBackend ram = new RamBackend(new TypeSettings.Ram(1000, 100, 1 << 26));
        Random random = new Random(5);
        java.util.Map<String, byte[]> objects = new java.util.LinkedHashMap<>();
        for (String name : List.of("a", "b", "c")) {
            byte[] content = new byte[(int) ((name.equals("a") ? 2 : 3) * MIB)];
            random.nextBytes(content);
            ram.put(name, content);
            objects.put(name, content);
        }
        try (InProcessMount m = new InProcessMount(config(4, CacheStorageMode.PER_INODE_FILE, cacheDir), List.of(ram), mnt)) {
            Path folder = cacheFolders(cacheDir).getFirst();
            assertArrayEquals(objects.get("a"), Files.readAllBytes(mnt.resolve("data/a")));
            assertEquals(1, files(folder).size(), "one file for a: " + files(folder));
            long aUses = allocated(files(folder).getFirst());
            assertTrue(aUses >= 2 * MIB && aUses < 3 * MIB, aUses + " bytes for a's 2 lines");
            for (String name : List.of("b", "c", "c")) {
                assertArrayEquals(objects.get(name), Files.readAllBytes(mnt.resolve("data/" + name)), name);
            }
            List<Path> left = files(folder);
            long total = 0;
            for (Path f : left) {
                total += allocated(f);
            }
            assertTrue(left.size() <= 2, "a file outlived its last line: " + left);
            assertTrue(total <= 4 * MIB + (64 << 10), total + " bytes allocated for 4 resident lines");
            assertTrue(m.fs.cacheStats().evictions() >= 4, m.fs.cacheStats().toString());
        }
        assertEquals(List.of(), cacheFolders(cacheDir));
    }

    /**
     * 16 lines of 1 MiB on a tmpfs of 4 MiB: lines that find no room are read straight from the
     * backend, every byte right, and the mount stays up (a store into an unbacked page of a full
     * disk would have been SIGBUS).
     */
    @ParameterizedTest
    @EnumSource(value = CacheStorageMode.class, names = {"MAPPED_FILE", "PER_INODE_FILE"})
    void aFullCacheDiskCostsCachingNotTheMountOrAByte(CacheStorageMode storage, @TempDir Path mnt, @TempDir Path work)
            throws Exception {
        Path small = Files.createDirectories(work.resolve("small"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .inheritIO().start().waitFor());
        try {
            byte[] content = new byte[(int) (12 * MIB)];
            new Random(4).nextBytes(content);
            try (InProcessMount m = new InProcessMount(config(16, storage, small), List.of(ramWith(content)), mnt)) {
                for (int pass = 0; pass < 2; pass++) {
                    assertArrayEquals(content, Files.readAllBytes(mnt.resolve("data/f")), "pass " + pass);
                }
                CacheStats s = m.fs.cacheStats();
                assertTrue(s.uncachedReads() > 0, "nothing was read around the full disk: " + s);
                assertTrue(s.hits() > 0, "the lines that found room were not served from the cache: " + s);
            }
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).inheritIO().start().waitFor();
        }
    }

    /**
     * SIGKILL leaves the cache's folder behind, with the bytes of what was read; the next mount on
     * the same cache_dir_path removes it.
     */
    @ParameterizedTest
    @EnumSource(value = CacheStorageMode.class, names = {"MAPPED_FILE", "PER_INODE_FILE"})
    void aKilledRunsCacheIsReplacedByTheNext(CacheStorageMode storage, @TempDir Path dir) throws Exception {
        Path cacheDir = Files.createDirectories(dir.resolve("cache"));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path cfg = Files.writeString(dir.resolve("c.yaml"), """
                msfs_version: 1
                allow_other: false
                cache_storage: %s
                cache_dir_path: %s
                cache_line_size: 1048576
                cache_lines: 64
                backends:
                  - {dir_name: p, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 1, file_size: 2097152}}
                """.formatted(storage.key(), cacheDir));
        try (MsfsProcess first = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            assertEquals(1, cacheFolders(cacheDir).size());
            assertEquals(2 * MIB, Files.readAllBytes(mnt.resolve("p/file_00000000")).length);
            first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } // unmounts what the killed one left
        List<Path> stale = cacheFolders(cacheDir);
        assertEquals(1, stale.size(), "SIGKILL cleaned up?");
        assertTrue(cachedBytes(stale.getFirst()) > 0, "the killed run left no cached bytes to replace");
        try (MsfsProcess second = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            assertTrue(second.log().contains("removing " + stale.getFirst()), second.log());
            List<Path> now = cacheFolders(cacheDir);
            assertEquals(1, now.size());
            assertTrue(!now.contains(stale.getFirst()));
        }
        assertEquals(List.of(), cacheFolders(cacheDir));
    }

    @Test
    void aMissingOrReadOnlyCacheDirIsAClearErrorAtStart(@TempDir Path dir) throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly.toString())
                .inheritIO().start().waitFor());
        try {
            for (Path cacheDir : List.of(dir.resolve("missing"), readOnly)) {
                Path cfg = Files.writeString(dir.resolve("c.yaml"), "msfs_version: 1\nallow_other: false\ncache_dir_path: "
                        + cacheDir + "\nbackends:\n  - {dir_name: p, backend_type: PSEUDO}\n");
                MsfsProcess.Result r = MsfsProcess.run("mount", "--config", cfg.toString(), mnt.toString());
                assertEquals(1, r.status(), r.err());
                assertTrue(r.err().contains("msfs: error: cache_dir_path " + cacheDir), r.err());
                assertTrue(r.err().contains(cacheDir.equals(readOnly) ? "Read-only file system" : "is not a directory"), r.err());
                assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("msfs: error")).count(), r.err());
            }
        } finally {
            new ProcessBuilder("umount", "-l", readOnly.toString()).inheritIO().start().waitFor();
        }
    }
}
