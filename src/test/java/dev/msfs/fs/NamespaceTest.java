package dev.msfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.RamBackend;
import dev.msfs.config.TypeSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listings kept for lookups stay within their budget, oldest dropped first, empty ones counted. */
class NamespaceTest {
    private static final int BUDGET = 30;

    private final RamBackend ram = new RamBackend(new TypeSettings.Ram(1000, 100_000, 1 << 20));
    private final Namespace ns = new Namespace(new FsSettings(60_000, false, false, 0, 0, 0555, java.nio.file.Path.of("/var/tmp"), 0), BUDGET);

    private List<Inode> dirs(int count, int entriesEach) {
        ns.addVolume(TestConfigs.ram("v").backends().getFirst(), ram);
        List<Inode> dirs = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            for (int f = 0; f < entriesEach; f++) {
                ram.put("d" + d + "/f" + f, new byte[] {1});
            }
            if (entriesEach == 0) {
                ram.put("d" + d + "/", new byte[0]); // a folder marker: an empty directory
            }
        }
        Inode root = ns.volumeRoots().getFirst();
        for (int d = 0; d < count; d++) {
            dirs.add(ns.ref(root, ObjectInfo.dir("d" + d, 0), System.nanoTime()));
        }
        return dirs;
    }

    @Test
    void oldestListingsAreDroppedToStayWithinTheBudget() throws Exception {
        List<Inode> dirs = dirs(5, 9); // 10 each, counting one for the listing itself
        for (Inode d : dirs) {
            assertEquals(9, ns.listing(d).sorted().size());
            assertTrue(ns.keptListingEntries() <= BUDGET, "kept " + ns.keptListingEntries());
        }
        assertNull(dirs.get(0).listing, "the oldest went first");
        assertNull(dirs.get(1).listing);
        assertNotNull(dirs.get(4).listing, "the newest stays");
        assertEquals(9, ns.listing(dirs.get(0)).sorted().size(), "a dropped listing is listed again when needed");
    }

    @Test
    void emptyListingsCountSoTheyCannotPileUp() throws Exception {
        for (Inode d : dirs(100, 0)) {
            assertEquals(0, ns.listing(d).sorted().size());
        }
        assertTrue(ns.keptListings() <= BUDGET, "kept " + ns.keptListings() + " listings");
    }

    @Test
    void aListingOverTheBudgetIsServedButNotKept() throws Exception {
        List<Inode> dirs = dirs(2, 5);
        ns.listing(dirs.get(0));
        for (int f = 0; f < 40; f++) {
            ram.put("d1/g" + f, new byte[] {1});
        }
        assertEquals(45, ns.listing(dirs.get(1)).sorted().size());
        assertNull(dirs.get(1).listing, "too big to keep");
        assertNotNull(dirs.get(0).listing, "and it pushed nothing out");
    }
}
