package dev.msfs.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.config.TypeSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RamBackendTest {
    static RamBackend ram(int pageSize) {
        return new RamBackend(new TypeSettings.Ram(pageSize, 100, 1 << 20));
    }

    @Test
    void directoriesAppearFromKeysAndPagesContinue() throws BackendException {
        RamBackend b = ram(2);
        for (String k : List.of("a/1", "a/2", "a/b/3", "a/b/4", "a/c", "a/d/e/f", "z", "a/")) {
            b.put(k, new byte[] {1});
        }
        List<String> names = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListPage p = b.list("a/", token);
            p.entries().forEach(e -> names.add(e.name() + (e.directory() ? "/" : "")));
            token = p.next();
            pages++;
        } while (token != null);
        assertEquals(List.of("1", "2", "b/", "c", "d/"), names);
        assertEquals(3, pages);
        assertTrue(b.stat("a/d").orElseThrow().directory());
        assertTrue(b.stat("a/d/e").orElseThrow().directory());
        assertEquals(1, b.stat("a/c").orElseThrow().size());
        assertTrue(b.stat("a/x").isEmpty());
    }

    @Test
    void anObjectAndADirectoryOfOneNameAreBothListedEvenAcrossPages() throws BackendException {
        RamBackend b = ram(1);
        b.put("x", new byte[1]);
        b.put("x/y", new byte[1]);
        ListPage first = b.list("", null);
        assertEquals(List.of(new ObjectInfo("x", false, 1, first.entries().getFirst().mtimeMillis(), "v1")), first.entries());
        ListPage second = b.list("", first.next());
        assertTrue(second.entries().getFirst().directory());
        assertEquals(1, second.entries().size());
        assertEquals(null, second.next());
    }

    @Test
    void readsCheckTheVersionAsked() throws BackendException {
        RamBackend b = ram(10);
        b.put("k", new byte[] {1, 2, 3});
        String etag = b.stat("k").orElseThrow().etag();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(2);
            assertEquals(2, b.read("k", etag, 1, dst));
            b.put("k", new byte[] {9});
            BackendException e = assertThrows(BackendException.class, () -> b.read("k", etag, 0, dst));
            assertEquals(BackendException.Kind.CHANGED, e.kind());
            assertEquals(BackendException.Kind.NOT_FOUND,
                    assertThrows(BackendException.class, () -> b.read("none", null, 0, dst)).kind());
        }
    }

    @Test
    void limitsAreEnforced() {
        RamBackend b = new RamBackend(new TypeSettings.Ram(10, 2, 10));
        b.put("a", new byte[4]);
        assertThrows(IllegalStateException.class, () -> b.put("b", new byte[7]));
        b.put("b", new byte[6]);
        assertThrows(IllegalStateException.class, () -> b.put("c", new byte[0]));
    }
}
