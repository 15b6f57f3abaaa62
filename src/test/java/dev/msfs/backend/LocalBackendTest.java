package dev.msfs.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
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
        LocalBackend b = new LocalBackend(base, "p/", 1);
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
        assertTrue(new LocalBackend(base, "", 10).stat("outside").isPresent());
    }
}
