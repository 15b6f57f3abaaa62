package dev.msfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.msfs.cache.ObjectRef;
import dev.msfs.fs.KernelPages.Mode;
import org.junit.jupiter.api.Test;

class KernelPagesTest {
    private static final ObjectRef V1 = ObjectRef.of(0, "f", "etag-1", 100, 0);
    private static final ObjectRef V2 = ObjectRef.of(0, "f", "etag-2", 100, 0);

    @Test
    void withKernelCacheAnUnchangedVersionKeepsItsPagesAndAChangedOneDropsThem() {
        KernelPages pages = new KernelPages();
        assertEquals(Mode.FRESH, pages.open(V1, true)); // nothing known of the pages yet
        pages.released();
        assertEquals(Mode.KEEP, pages.open(V1, true));
        pages.released();
        assertEquals(Mode.FRESH, pages.open(V2, true));
        pages.released();
        assertEquals(Mode.KEEP, pages.open(V2, true));
    }

    @Test
    void withoutKernelCacheEveryOpenDropsThePages() {
        KernelPages pages = new KernelPages();
        assertEquals(Mode.FRESH, pages.open(V1, false));
        pages.released();
        assertEquals(Mode.FRESH, pages.open(V1, false));
    }

    @Test
    void aNewVersionOpenedWhileTheOldOneUsesThePagesBypassesThem() {
        for (boolean kernelCache : new boolean[] {true, false}) {
            KernelPages pages = new KernelPages();
            pages.open(V1, kernelCache);
            assertEquals(Mode.DIRECT, pages.open(V2, kernelCache), "the pages may hold V1's bytes");
            assertEquals(Mode.DIRECT, pages.open(V2, kernelCache));
            assertEquals(kernelCache ? Mode.KEEP : Mode.FRESH, pages.open(V1, kernelCache), "V1's own handles still share them");
            pages.released();
            pages.released(); // the direct handles are not counted: V1's two are gone now
            assertEquals(Mode.FRESH, pages.open(V2, kernelCache), "V1's pages must be dropped");
            assertEquals(kernelCache ? Mode.KEEP : Mode.FRESH, pages.open(V2, kernelCache));
        }
    }
}
