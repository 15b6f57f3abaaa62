package dev.msfs.fs;

import dev.msfs.cache.ObjectRef;

/**
 * What the kernel's page cache may hold for one file, so that each open tells the kernel how to
 * treat it. The kernel keeps one page cache per inode, shared by all its open handles, while msfs
 * pins each handle to the object version seen at its open. So that no handle ever reads another
 * version's pages:
 * <ul>
 * <li>an open while handles of another version use the pages is {@link Mode#DIRECT} (direct_io):
 *     it neither reads nor fills them, since they may hold that version's bytes, which those
 *     handles go on reading and filling;
 * <li>otherwise the open uses the pages, and keeps them ({@link Mode#KEEP}, keep_cache) only when
 *     {@code kernel_cache} is on and they can hold this version's bytes alone; else
 *     ({@link Mode#FRESH}) the kernel drops them at this open, after which only this version's
 *     handles fill them.
 * </ul>
 * One per {@link Inode}: when msfs forgets an inode the kernel has dropped it, and its pages, too.
 * Guarded by its monitor; only opens and releases take it, never reads.
 */
final class KernelPages {
    /** How one open uses the page cache. */
    enum Mode {
        /** Keep the pages cached by earlier opens (keep_cache). */
        KEEP,
        /** The kernel drops the pages at this open; this handle fills them again. */
        FRESH,
        /** Bypass the pages (direct_io). */
        DIRECT
    }

    /** The only version whose bytes the pages may hold, or null when unknown. */
    private ObjectRef cached;
    /** Open handles that use the pages (KEEP and FRESH); all of version {@link #cached}. */
    private int users;

    /** The mode for an open of {@code version}; a KEEP or FRESH open must be {@link #released} once. */
    synchronized Mode open(ObjectRef version, boolean kernelCache) {
        if (users > 0 && !version.equals(cached)) {
            return Mode.DIRECT;
        }
        boolean keep = kernelCache && version.equals(cached);
        cached = version;
        users++;
        return keep ? Mode.KEEP : Mode.FRESH;
    }

    /** A handle opened KEEP or FRESH was released. */
    synchronized void released() {
        users--;
    }
}
