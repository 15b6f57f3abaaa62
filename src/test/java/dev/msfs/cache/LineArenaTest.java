package dev.msfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped-file arena lets go of a filled line's pages in msfs's address space (they stay page
 * cache, with the bytes): the mapping's resident size, from /proc/self/smaps, falls from the
 * whole line to nothing, and the line still reads back. Without {@code filled} it stays.
 */
class LineArenaTest {
    private static final long LINE = 4L << 20;

    /** Resident kB of the mapping that starts at {@code address}, from /proc/self/smaps. */
    private static long residentKb(long address) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        String start = Long.toHexString(address) + "-";
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).startsWith("Rss:")) {
                        return Long.parseLong(lines.get(j).replaceAll("\\D", ""));
                    }
                }
            }
        }
        throw new AssertionError("no mapping at " + start);
    }

    @Test
    void aFilledLineIsNoLongerMappedButKeepsItsBytes(@TempDir Path dir) throws Exception {
        LineKey key = new LineKey(ObjectRef.of(0, "o", "e", LINE, 0), 0);
        byte[] want = new byte[(int) LINE];
        new java.util.Random(3).nextBytes(want);
        try (LineArena arena = LineArena.inFile(dir, LINE, 2); Arena scope = Arena.ofConfined()) {
            arena.reserve(0, key);
            MemorySegment view = arena.view(0, key, LINE, scope);
            MemorySegment.copy(MemorySegment.ofArray(want), 0, view, 0, LINE);
            long base = view.address();
            assertTrue(residentKb(base) >= LINE / 1024, "the fill's pages are mapped: " + residentKb(base) + " kB");
            arena.filled(0, key, view);
            assertTrue(residentKb(base) == 0, "still mapped after filled: " + residentKb(base) + " kB");
            MemorySegment back = scope.allocate(LINE);
            assertTrue(arena.copyOut(0, key, 0, back, 0, LINE));
            assertArrayEquals(want, back.toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
