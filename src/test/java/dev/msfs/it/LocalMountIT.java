package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A LOCAL backend over real files, mounted by msfs.jar and read through the kernel. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalMountIT {
    private Path work;
    private Path source;
    private Path mnt;
    private Path served;
    private MsfsProcess msfs;

    @BeforeAll
    void mount() throws Exception {
        work = Files.createTempDirectory("msfs-local-it");
        source = Files.createDirectories(work.resolve("source"));
        mnt = Files.createDirectories(work.resolve("mnt"));
        TestTrees.build(source);
        Path config = work.resolve("local.yaml");
        Files.writeString(config, """
                msfs_version: 1
                allow_other: false
                entry_attr_ttl: 1000
                backends:
                  - dir_name: local
                    backend_type: LOCAL
                    directory_page_size: 700
                    LOCAL:
                      base_path: %s
                """.formatted(source));
        msfs = MsfsProcess.mount(mnt, "--config", config.toString());
        served = mnt.resolve("local");
    }

    @AfterAll
    void unmount() throws Exception {
        if (msfs != null) {
            msfs.close();
        }
        if (work != null) {
            TestTrees.delete(work);
        }
    }

    private static List<String> tree(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                out.add(Files.isDirectory(p) ? rel + "/" : rel + " " + Files.size(p));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void theTreeIsTheSourceTree() throws IOException {
        assertEquals(tree(source), tree(served));
        try (Stream<Path> root = Files.list(mnt)) {
            assertEquals(List.of("local"), root.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void everyFileReadsBackIdentical() throws Exception {
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                Path through = served.resolve(source.relativize(p).toString());
                assertEquals(sha256(p), sha256(through), through.toString());
            }
        }
    }

    @Test
    void randomReadsMatchByteForByte() throws IOException {
        Random random = new Random(7);
        for (String name : List.of("a/b/c/five mib", "a/b/odd size", "a/page+1")) {
            byte[] expected = Files.readAllBytes(source.resolve(name));
            try (FileChannel ch = FileChannel.open(served.resolve(name), StandardOpenOption.READ)) {
                for (int i = 0; i < 300; i++) {
                    int off = random.nextInt(expected.length);
                    int len = 1 + random.nextInt(Math.min(expected.length, 1 << 18));
                    ByteBuffer buf = ByteBuffer.allocate(len);
                    int n = readFully(ch, buf, off);
                    assertEquals(Math.min(len, expected.length - off), n, name + " @" + off);
                    byte[] want = java.util.Arrays.copyOfRange(expected, off, off + n);
                    assertArrayEquals(want, java.util.Arrays.copyOf(buf.array(), n), name + " @" + off + "+" + len);
                }
            }
        }
    }

    @Test
    void readsAtAndPastEndOfFile() throws IOException {
        try (FileChannel ch = FileChannel.open(served.resolve("a/page+1"), StandardOpenOption.READ)) {
            assertEquals(-1, ch.read(ByteBuffer.allocate(10), 4097));
            assertEquals(-1, ch.read(ByteBuffer.allocate(10), 1 << 20));
            assertEquals(1, readFully(ch, ByteBuffer.allocate(100), 4096));
        }
        assertEquals(0, Files.readAllBytes(served.resolve("zero")).length);
    }

    @Test
    void missingNamesAreENOENT() {
        assertThrows(NoSuchFileException.class, () -> Files.readAttributes(served.resolve("nope"),
                java.nio.file.attribute.BasicFileAttributes.class));
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(served.resolve("a/nope")));
        assertThrows(NoSuchFileException.class, () -> Files.list(mnt.resolve("not-a-backend")).close());
    }

    @Test
    void everyWriteIsEROFS() {
        List<ThrowingCall> writes = List.of(
                () -> Files.writeString(served.resolve("zero"), "x"),
                () -> Files.writeString(served.resolve("new file"), "x"),
                () -> Files.createDirectory(served.resolve("new dir")),
                () -> Files.delete(served.resolve("one byte")),
                () -> Files.move(served.resolve("one byte"), served.resolve("moved")),
                () -> Files.setLastModifiedTime(served.resolve("one byte"), FileTime.fromMillis(0)),
                () -> Files.createDirectory(mnt.resolve("new backend")));
        for (ThrowingCall w : writes) {
            FileSystemException e = assertThrows(FileSystemException.class, w::run);
            assertTrue(String.valueOf(e.getReason()).contains("Read-only file system"), e.toString());
        }
    }

    @Test
    void aDirectoryOfTenThousandEntriesListsCompletelyInOrder() throws IOException {
        try (Stream<Path> s = Files.list(served.resolve(TestTrees.BIG_DIR))) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertEquals(TestTrees.BIG_DIR_ENTRIES, names.size());
            assertEquals(TestTrees.BIG_DIR_ENTRIES, names.stream().distinct().count());
        }
        assertArrayEquals(new byte[] {(byte) 9999}, Files.readAllBytes(served.resolve(TestTrees.BIG_DIR).resolve("f09999")));
    }

    @Test
    void statFieldsFollowTheConfig() throws IOException {
        Path f = served.resolve("a/page");
        assertEquals(0100444, Files.getAttribute(f, "unix:mode"));
        assertEquals(4096L, Files.getAttribute(f, "unix:size"));
        assertEquals(1, Files.getAttribute(f, "unix:nlink"));
        assertEquals(040555, Files.getAttribute(served.resolve("a"), "unix:mode"));
        assertEquals(Files.getLastModifiedTime(source.resolve("a/page")).toMillis(), Files.getLastModifiedTime(f).toMillis());
        long ino = (long) Files.getAttribute(f, "unix:ino");
        assertEquals(ino, (long) Files.getAttribute(f, "unix:ino"));
    }

    private interface ThrowingCall {
        void run() throws IOException;
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
