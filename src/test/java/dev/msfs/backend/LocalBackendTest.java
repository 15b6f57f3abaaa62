package dev.msfs.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendTest {
    @Test
    void listsStatsAndReadsBelowThePrefix(@TempDir Path base) throws Exception {
        Files.createDirectories(base.resolve("p/sub"));
        Files.writeString(base.resolve("p/f b"), "hello");
        Files.writeString(base.resolve("p/sub/g"), "x");
        Files.writeString(base.resolve("outside"), "no");
        LocalBackend b = new LocalBackend(base, "p/", 1, false);
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            ListPage page = b.list("", token);
            page.entries().forEach(e -> names.add(e.name()));
            token = page.next();
        } while (token != null);
        assertEquals(List.of("f b", "sub"), names);
        assertTrue(b.stat("sub").orElseThrow().directory());
        assertEquals(5, b.stat("f b").orElseThrow().size());
        assertTrue(b.stat("outside").isEmpty());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(10);
            assertEquals(4, b.read("f b", null, 1, dst));
            assertEquals("ello", new String(dst.asSlice(0, 4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        }
        assertEquals(BackendException.Kind.NOT_FOUND,
                assertThrows(BackendException.class, () -> b.stat("../outside")).kind());
        assertTrue(new LocalBackend(base, "", 10, false).stat("outside").isPresent());
    }

    @Test
    void reportsEachFilesOwnModeOwnerAndGroup(@TempDir Path base) throws Exception {
        Path secret = Files.writeString(base.resolve("secret"), "s");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(Files.createDirectory(base.resolve("private")), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-x---"));
        LocalBackend b = new LocalBackend(base, "", 10, false);
        int uid = (Integer) Files.getAttribute(secret, "unix:uid");
        int gid = (Integer) Files.getAttribute(secret, "unix:gid");
        assertEquals(new SourceMode(0600, uid, gid), b.stat("secret").orElseThrow().source());
        assertEquals(new SourceMode(0700, uid, gid), b.list("", null).entries().get(0).source());
        assertEquals(new SourceMode(0750, uid, gid), b.rootMode());
    }

    @Test
    void followsLinksThatStayBeneathTheRootAndHidesThoseThatLeave(@TempDir Path work) throws Exception {
        Path base = Files.createDirectories(work.resolve("base"));
        Files.createDirectories(base.resolve("d"));
        Files.writeString(base.resolve("d/in"), "inside");
        Files.writeString(Files.createDirectories(work.resolve("outside")).resolve("f"), "OUTSIDE");
        Files.createSymbolicLink(base.resolve("rel"), Path.of("d/in"));
        Files.createSymbolicLink(base.resolve("abs"), base.resolve("d/in").toAbsolutePath());
        Files.createSymbolicLink(base.resolve("out"), work.resolve("outside/f"));
        Files.createSymbolicLink(base.resolve("updir"), Path.of("../outside"));
        LocalBackend b = new LocalBackend(base, "", 100, false);
        assertEquals(List.of("abs", "d", "rel"), b.list("", null).entries().stream().map(ObjectInfo::name).toList());
        assertEquals("inside", read(b, "rel"));
        assertEquals("inside", read(b, "abs"));
        assertTrue(b.stat("out").isEmpty());
        assertTrue(b.stat("updir/f").isEmpty());
        assertTrue(b.list("updir/", null).entries().isEmpty());
        assertEquals(BackendException.Kind.NOT_FOUND, assertThrows(BackendException.class, () -> read(b, "out")).kind());
        assertEquals(BackendException.Kind.NOT_FOUND, assertThrows(BackendException.class, () -> read(b, "updir/f")).kind());

        LocalBackend following = new LocalBackend(base, "", 100, true);
        assertEquals("OUTSIDE", read(following, "out"));
        assertEquals("OUTSIDE", read(following, "updir/f"));
        assertEquals(List.of("abs", "d", "out", "rel", "updir"),
                following.list("", null).entries().stream().map(ObjectInfo::name).toList());
    }

    /**
     * A directory in the path flips between a link that stays inside and one that leaves, as
     * fast as it can, while reads go on: every read gives the inside bytes or fails, never the
     * outside's. A check made on the path before opening it would lose this race.
     */
    @Test
    void aLinkSwappedDuringReadsNeverEscapes(@TempDir Path work) throws Exception {
        Path base = Files.createDirectories(work.resolve("base"));
        Files.writeString(Files.createDirectories(base.resolve("inner")).resolve("f"), "inside!");
        Files.writeString(Files.createDirectories(work.resolve("outside")).resolve("f"), "OUTSIDE");
        Path link = base.resolve("sub");
        Files.createSymbolicLink(link, Path.of("inner"));
        Path staged = base.resolve(".staged");
        AtomicBoolean stop = new AtomicBoolean();
        Thread swapper = Thread.ofPlatform().start(() -> {
            boolean out = true;
            while (!stop.get()) {
                try {
                    Files.deleteIfExists(staged);
                    Files.createSymbolicLink(staged, out ? work.resolve("outside") : Path.of("inner"));
                    Files.move(staged, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    out = !out;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        LocalBackend b = new LocalBackend(base, "", 100, false);
        int inside = 0;
        try {
            for (int i = 0; i < 20_000; i++) {
                try {
                    String got = read(b, "sub/f");
                    assertEquals("inside!", got);
                    inside++;
                } catch (BackendException e) {
                    assertEquals(BackendException.Kind.NOT_FOUND, e.kind());
                }
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertTrue(inside > 0, "the link never pointed inside during a read");
    }

    @Test
    void neverGrantsMoreThanTheSource() {
        SourceMode rootOnly = new SourceMode(0600, 0, 0);
        assertEquals(0600, rootOnly.allowedFor(0, 0));
        assertEquals(0, rootOnly.allowedFor(65534, 65534), "a presented owner who is not the source's owner gets 'other'");
        SourceMode groupShared = new SourceMode(0640, 1000, 50);
        assertEquals(0040, groupShared.allowedFor(0, 50));
        assertEquals(0444, new SourceMode(0644, 1000, 1000).allowedFor(0, 0));
        assertEquals(0777, SourceMode.UNRESTRICTED.allowedFor(0, 0));
    }

    private static String read(LocalBackend b, String path) throws BackendException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(64);
            long n = b.read(path, null, 0, dst);
            return new String(dst.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }
}
