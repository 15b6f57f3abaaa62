package dev.msfs.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.config.TypeSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PseudoBackendTest {
    private static PseudoBackend backend(int pageSize) {
        return new PseudoBackend(new TypeSettings.Pseudo("dir_%08X", "file_%04d", 0, 5, 1000,
                new long[] {3, 2, 1, 0}, new long[] {2, 1, 0}, pageSize, 0, 0, 0));
    }

    private static List<String> listAll(Backend b, String dir) throws BackendException {
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            ListPage p = b.list(dir, token);
            p.entries().forEach(e -> names.add(e.name() + (e.directory() ? "/" : "")));
            token = p.next();
        } while (token != null);
        return names;
    }

    @Test
    void treeFollowsTheCountsPerDepthAcrossPages() throws BackendException {
        PseudoBackend b = backend(2);
        assertEquals(List.of("dir_00000000/", "dir_00000001/", "file_0005", "file_0006", "file_0007"), listAll(b, ""));
        assertEquals(List.of("dir_00000000/", "file_0005", "file_0006"), listAll(b, "dir_00000001/"));
        assertEquals(List.of("file_0005"), listAll(b, "dir_00000001/dir_00000000/"));
        assertEquals(List.of(), listAll(b, "dir_00000002/"));
        assertEquals(List.of(), listAll(b, "file_0005/"));
    }

    @Test
    void statKnowsExactlyTheListedNames() throws BackendException {
        PseudoBackend b = backend(1000);
        assertTrue(b.stat("dir_00000001").orElseThrow().directory());
        assertEquals(1000, b.stat("dir_00000000/file_0006").orElseThrow().size());
        assertTrue(b.stat("file_0004").isEmpty());      // numbering starts at 5
        assertTrue(b.stat("file_0008").isEmpty());      // only 3 files
        assertTrue(b.stat("file_05").isEmpty());        // not the canonical spelling
        assertTrue(b.stat("dir_00000000/dir_00000001").isEmpty());
    }

    @Test
    void contentIsDeterministicPerPathAndOffsetAtAnyAlignment() throws BackendException {
        PseudoBackend b = backend(1000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(1000);
            assertEquals(1000, b.read("file_0005", null, 0, whole));
            for (long off = 0; off < 1000; off++) {
                assertEquals(PseudoBackend.contentByte("file_0005", off), whole.get(ValueLayout.JAVA_BYTE, off));
            }
            MemorySegment part = arena.allocate(77);
            assertEquals(77, b.read("file_0005", null, 13, part));
            assertEquals(-1, part.mismatch(whole.asSlice(13, 77)));
            MemorySegment tail = arena.allocate(100);
            assertEquals(10, b.read("file_0005", null, 990, tail));
            assertEquals(0, b.read("file_0005", null, 2000, tail));
        }
        assertNotEquals(PseudoBackend.contentByte("file_0005", 0) + "" + PseudoBackend.contentByte("file_0005", 1),
                PseudoBackend.contentByte("file_0006", 0) + "" + PseudoBackend.contentByte("file_0006", 1));
    }
}
