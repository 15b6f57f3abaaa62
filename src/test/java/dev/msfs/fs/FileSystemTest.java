package dev.msfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.RamBackend;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.BackendType;
import dev.msfs.config.MsfsConfig;
import dev.msfs.config.TypeSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FileSystemTest {
    private final RamBackend ram = new RamBackend(new TypeSettings.Ram(3, 1000, 1 << 20));

    private FileSystem fs(Backend... backends) {
        String[] names = new String[backends.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = "b" + i;
        }
        try {
            return FileSystem.of(TestConfigs.ram(names), List.of(backends));
        } catch (java.io.IOException inMemory) {
            throw new java.io.UncheckedIOException(inMemory); // a cache in memory has no storage to fail
        }
    }

    private static int errno(FsCall call) {
        return assertThrows(FsException.class, call::run).errno();
    }

    private interface FsCall {
        void run() throws Exception;
    }

    @Test
    void rootListsOneDirectoryPerBackend() throws FsException {
        FileSystem fs = fs(ram, ram);
        Attr root = fs.getattr(FileSystem.ROOT_INO);
        assertEquals(Attr.S_IFDIR | 0755, root.mode());
        long fh = fs.opendir(FileSystem.ROOT_INO);
        assertEquals(List.of(".", "..", "b0", "b1"), fs.readdir(fh, 0).stream().map(DirEntry::name).toList());
        Attr b1 = fs.lookup(FileSystem.ROOT_INO, "b1").attr();
        assertEquals(Attr.S_IFDIR | 0555, b1.mode());
        assertEquals(7, b1.uid());
        assertTrue(fs.lookup(FileSystem.ROOT_INO, "b2").negative());
    }

    @Test
    void aRootListingOpenedBeforeAReloadRemovedABackendStillResolvesIt() throws FsException {
        FileSystem fs = fs(ram, ram);
        long fh = fs.opendir(FileSystem.ROOT_INO);
        fs.removeVolume("b1");
        DirEntry b1 = fs.readdir(fh, 3).getFirst();
        assertEquals("b1", b1.name());
        assertEquals(Attr.S_IFDIR | 0555, fs.readdirplusEntry(fh, b1).attr().mode());
        assertEquals(List.of(".", "..", "b0"), fs.readdir(fs.opendir(FileSystem.ROOT_INO), 0).stream().map(DirEntry::name).toList());
        assertTrue(fs.lookup(FileSystem.ROOT_INO, "b1").negative());
    }

    @Test
    void inodeNumbersStayWhileTheKernelHoldsThemAndAreNeverReused() throws FsException {
        ram.put("d/f", new byte[] {1, 2, 3});
        FileSystem fs = fs(ram);
        long vol = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        long d = fs.lookup(vol, "d").attr().ino();
        long f1 = fs.lookup(d, "f").attr().ino();
        assertEquals(f1, fs.lookup(d, "f").attr().ino());
        assertEquals(2, fs.lookupCount(f1));
        fs.forget(f1, 1);
        assertEquals(3, fs.getattr(f1).size());
        fs.forget(f1, 1);
        assertEquals(Errno.ENOENT, errno(() -> fs.getattr(f1)));
        long f2 = fs.lookup(d, "f").attr().ino();
        assertNotEquals(f1, f2);
        fs.forget(vol, 100); // volume roots are pinned
        assertEquals(Attr.S_IFDIR | 0555, fs.getattr(vol).mode());
    }

    @Test
    void readdirOffsetsAreStableAndSortedAcrossPages() throws FsException {
        for (String k : List.of("d/c", "d/a", "d/e/x", "d/b", "d/ä", "d/a b")) {
            ram.put(k, new byte[1]);
        }
        FileSystem fs = fs(ram);
        long d = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "d").attr().ino();
        long fh = fs.opendir(d);
        List<DirEntry> all = fs.readdir(fh, 0);
        assertEquals(List.of(".", "..", "a", "a b", "b", "c", "e", "ä"), all.stream().map(DirEntry::name).toList());
        ram.put("d/0", new byte[1]); // a change after opendir does not shift this handle's offsets
        for (DirEntry e : all) {
            List<DirEntry> rest = fs.readdir(fh, e.nextOffset());
            assertEquals(all.subList((int) e.nextOffset(), all.size()), rest);
        }
        assertTrue(all.get(6).directory());
        fs.releasedir(fh);
        assertEquals(Errno.EBADF, errno(() -> fs.readdir(fh, 0)));
    }

    @Test
    void readdirplusCountsALookupForRealEntriesOnly() throws FsException {
        ram.put("d/f", new byte[5]);
        FileSystem fs = fs(ram);
        long d = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "d").attr().ino();
        long fh = fs.opendir(d);
        List<DirEntry> entries = fs.readdir(fh, 0);
        assertEquals(d, fs.readdirplusEntry(fh, entries.get(0)).attr().ino());
        assertEquals(1, fs.lookupCount(d));
        Attr f = fs.readdirplusEntry(fh, entries.get(2)).attr();
        assertEquals(5, f.size());
        assertEquals(1, fs.lookupCount(f.ino()));
    }

    @Test
    void openReadAndTheReadOnlyRules() throws FsException {
        ram.put("f", new byte[] {10, 11, 12, 13});
        FileSystem fs = fs(ram);
        long vol = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        long f = fs.lookup(vol, "f").attr().ino();
        assertEquals(Errno.EROFS, errno(() -> fs.open(f, true)));
        assertEquals(Errno.EISDIR, errno(() -> fs.open(vol, false)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.lookup(f, "x")));
        assertTrue(fs.lookup(vol, "missing").negative());
        assertEquals(Errno.EROFS, errno(() -> fs.refuseMutation(vol)));
        assertEquals(Errno.EROFS, errno(() -> fs.access(f, true)));
        fs.access(f, false);
        long fh = fs.open(f, false).fh();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(8);
            assertEquals(3, fs.read(fh, 1, dst));
            assertEquals(12, dst.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 1));
            assertEquals(0, fs.read(fh, 4, dst));
            assertEquals(0, fs.read(fh, Long.MAX_VALUE, dst));
        }
        fs.release(fh);
        assertEquals(Errno.EBADF, errno(() -> fs.read(fh, 0, MemorySegment.ofArray(new byte[1]))));
    }

    @Test
    void aHandleNeverMixesTwoVersionsOfAnObject() throws FsException {
        int lineSize = 64 << 10; // the test config's cache line
        byte[] v1 = new byte[lineSize + 10];
        java.util.Arrays.fill(v1, (byte) 1);
        ram.put("f", v1);
        FileSystem fs = fs(ram);
        long f = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "f").attr().ino();
        long fh = fs.open(f, false).fh();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4);
            assertEquals(4, fs.read(fh, 0, dst)); // line 0 of version 1 is now cached
            byte[] v2 = v1.clone();
            java.util.Arrays.fill(v2, (byte) 2);
            ram.put("f", v2);
            assertEquals(4, fs.read(fh, 100, dst)); // still version 1, from the cache
            assertEquals(1, dst.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertEquals(Errno.EIO, errno(() -> fs.read(fh, lineSize, dst))); // line 1 of version 1 is gone
        }
    }

    @Test
    void aDirectoryWinsOverAnObjectOfTheSameName() throws FsException {
        ram.put("x", new byte[1]);
        ram.put("x/y", new byte[2]);
        FileSystem fs = fs(ram);
        long vol = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        long fh = fs.opendir(vol);
        List<DirEntry> entries = fs.readdir(fh, 2);
        assertEquals(1, entries.size());
        assertTrue(entries.getFirst().directory());
        assertTrue(fs.lookup(vol, "x").attr().isDirectory());
    }

    @Test
    void lookupsInADirectoryOfOnePageCostOneListAndLargerDirectoriesFallBackToStat() throws FsException {
        for (String key : List.of("small/a", "small/b", "small/c", "big/a", "big/b", "big/c", "big/d")) {
            ram.put(key, new byte[1]);
        }
        java.util.Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
        Backend counting = new Backend() {
            @Override
            public ListPage list(String dir, String continuation) throws BackendException {
                calls.merge("list " + dir, 1, Integer::sum);
                return ram.list(dir, continuation);
            }

            @Override
            public Optional<ObjectInfo> stat(String path) {
                calls.merge("stat " + path, 1, Integer::sum);
                return ram.stat(path);
            }

            @Override
            public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
                return ram.read(path, etag, offset, dst);
            }
        };
        FileSystem fs = fs(counting);
        long vol = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        long small = fs.lookup(vol, "small").attr().ino();
        long big = fs.lookup(vol, "big").attr().ino();
        calls.clear();
        for (String name : List.of("a", "b", "c")) {
            assertEquals(1, fs.lookup(small, name).attr().size());
        }
        assertTrue(fs.lookup(small, "nope").negative());
        assertEquals(java.util.Map.of("list small/", 1), calls, "3 entries fit one page (of 3): one LIST answers all");
        calls.clear();
        for (String name : List.of("a", "b", "c", "d")) {
            assertEquals(1, fs.lookup(big, name).attr().size());
        }
        assertEquals(1, calls.get("list big/"), "4 entries take two pages: one page is tried, once per TTL");
        assertEquals(4, calls.keySet().stream().filter(k -> k.startsWith("stat big/")).count(), calls.toString());
    }

    @Test
    void backendFailuresMapTruthfully() throws FsException {
        Backend failing = new Backend() {
            @Override
            public ListPage list(String dir, String continuation) throws BackendException {
                throw new BackendException(BackendException.Kind.IO, "connection reset");
            }

            @Override
            public Optional<ObjectInfo> stat(String path) throws BackendException {
                throw new BackendException(BackendException.Kind.ACCESS_DENIED, "403");
            }

            @Override
            public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
                throw new BackendException(BackendException.Kind.TIMEOUT, "deadline");
            }
        };
        FileSystem fs = fs(failing);
        long vol = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        assertEquals(Errno.EIO, errno(() -> fs.opendir(vol)));
        assertEquals(Errno.EACCES, errno(() -> fs.lookup(vol, "f")));
        assertEquals(Errno.EIO, Errno.of(new BackendException(BackendException.Kind.CHANGED, "")));
        assertEquals(Errno.ENOENT, Errno.of(new BackendException(BackendException.Kind.NOT_FOUND, "")));
    }

    @Test
    void listingsThatDoNotAdvanceFailInsteadOfLooping() throws FsException {
        Backend stuck = new Backend() {
            @Override
            public ListPage list(String dir, String continuation) {
                return new ListPage(List.of(ObjectInfo.dir("d", 0)), "same");
            }

            @Override
            public Optional<ObjectInfo> stat(String path) {
                return Optional.empty();
            }

            @Override
            public long read(String path, String etag, long offset, MemorySegment dst) {
                return 0;
            }
        };
        FileSystem fs = fs(stuck);
        long vol = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        assertEquals(Errno.EIO, errno(() -> fs.opendir(vol)));
    }

    @Test
    void aReaddirplusFromAnOlderListingNeverRollsAnInodeBack() throws Exception {
        ram.put("dir/a", new byte[] {1});
        FileSystem fs = FileSystem.of(TestConfigs.ram(0, "b0"), List.of(ram)); // TTL 0: lookups stat
        long dir = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "dir").attr().ino();
        long fh = fs.opendir(dir); // lists "a" at one byte
        ram.put("dir/a", new byte[] {1, 2, 3});
        assertEquals(3, fs.lookup(dir, "a").attr().size()); // stat, after the listing
        DirEntry a = fs.readdir(fh, 2).getFirst();
        assertEquals(1, a.info().size());
        assertEquals(3, fs.readdirplusEntry(fh, a).attr().size(), "the older listing rolled the inode back");
    }

    /** A store that sends no ETag: versions differ only in their modification time. */
    private static final class NoEtagBackend implements Backend {
        volatile byte fill = 'a';
        volatile long mtime = 1_000;

        @Override
        public ListPage list(String dir, String continuation) {
            return new ListPage(List.of(new ObjectInfo("f", false, 4, mtime, "")), null);
        }

        @Override
        public Optional<ObjectInfo> stat(String path) {
            return Optional.of(new ObjectInfo("f", false, 4, mtime, ""));
        }

        @Override
        public long read(String path, String etag, long offset, MemorySegment dst) {
            dst.fill(fill);
            return dst.byteSize();
        }
    }

    @Test
    void versionsWithoutAnEtagAreToldApartByTheirModificationTime() throws Exception {
        NoEtagBackend store = new NoEtagBackend();
        FileSystem fs = FileSystem.of(TestConfigs.ram(0, "b0"), List.of(store));
        long f = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "f").attr().ino();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4);
            long fh = fs.open(f, false).fh();
            fs.read(fh, 0, dst);
            assertEquals('a', dst.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            store.fill = 'b'; // same size, a later modification time
            store.mtime = 2_000;
            long fh2 = fs.open(f, false).fh();
            fs.read(fh2, 0, dst);
            assertEquals('b', dst.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0), "served the previous version's cache line");
        }
    }

    @Test
    void aForgetOfMoreThanWasCountedIsLoggedOnceAndDropsTheInode() throws Exception {
        ram.put("f", new byte[] {1});
        FileSystem fs = fs(ram);
        long f = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "f").attr().ino();
        List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(InodeTable.class.getName());
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try {
            fs.forget(f, 3); // counted once
            assertEquals(0, fs.lookupCount(f));
            long again = fs.lookup(fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino(), "f").attr().ino();
            fs.forget(again, 2);
            assertEquals(1, warnings.size(), "a wrong lookup count must be logged, once: " + warnings);
            assertTrue(warnings.getFirst().getMessage().contains("counted 1 lookup"), warnings.getFirst().getMessage());
        } finally {
            log.removeHandler(h);
        }
    }
    /** A backend whose pages come in order, as a manifest's: every path below is a directory, no file has bytes. */
    private abstract static class PagedBackend implements Backend {
        @Override
        public boolean pagesInOrder(String dir) {
            return true;
        }

        @Override
        public Optional<ObjectInfo> stat(String path) {
            return Optional.of(ObjectInfo.dir(path, 1));
        }

        @Override
        public long read(String path, String etag, long offset, MemorySegment dst) {
            return 0;
        }
    }

    /**
     * A backend whose pages come in order (a manifest) is read a page at a time: every name once,
     * in order, offsets that are positions, seeks back that list the page again from its token
     * (so no page but the one in use is kept), names POSIX cannot show left out, and of a
     * directory and an object of one name, next to each other, the directory.
     */
    @Test
    void aDirectoryWhosePagesComeInOrderIsReadAPageAtATime() throws Exception {
        List<ObjectInfo> listed = new java.util.ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            listed.add(new ObjectInfo(String.format("n%05d", i), false, i, 1, "e" + i));
            if (i == 10) {
                listed.add(ObjectInfo.dir(String.format("n%05d", i), 1)); // the same name as a directory: it wins
            }
            if (i == 997) {
                listed.add(ObjectInfo.dir(String.format("n%05d", i), 1)); // ... also as a page's first entry: the first shown stays
            }
            if (i == 20) {
                listed.add(new ObjectInfo("..", false, 1, 1, "x")); // not a name POSIX can show
            }
        }
        java.util.concurrent.atomic.AtomicInteger lists = new java.util.concurrent.atomic.AtomicInteger();
        Backend paged = new PagedBackend() {
            @Override
            public ListPage list(String dir, String continuation) {
                lists.incrementAndGet();
                int from = continuation == null ? 0 : Integer.parseInt(continuation);
                int to = Math.min(listed.size(), from + 1000);
                return new ListPage(listed.subList(from, to), to == listed.size() ? null : Integer.toString(to), true);
            }

        };
        FileSystem fs = fs(paged);
        long dirIno = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        long fh = fs.opendir(dirIno);
        assertEquals(0, lists.get(), "opendir lists nothing yet");
        List<DirEntry> all = new java.util.ArrayList<>();
        long offset = 0;
        for (List<DirEntry> got; !(got = fs.readdir(fh, offset)).isEmpty(); ) {
            List<DirEntry> taken = got.subList(0, Math.min(got.size(), 300)); // what fits the kernel's buffer
            all.addAll(taken);
            offset = taken.getLast().nextOffset();
        }
        assertEquals(2 + 2500, all.size());
        assertEquals(List.of(".", ".."), all.subList(0, 2).stream().map(DirEntry::name).toList());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).nextOffset(), "offsets are positions");
            if (i >= 2) {
                assertEquals(String.format("n%05d", i - 2), all.get(i).name());
            }
        }
        assertTrue(all.get(12).directory(), "the directory wins over the object of its name");
        assertTrue(!all.get(999).directory(), "across a page's start, the first shown stays");
        assertEquals(3, lists.get(), "three pages, each listed once while reading in order");
        assertEquals("n00005", fs.readdir(fh, 7).getFirst().name(), "a seek back lists its page again");
        assertEquals(4, lists.get());
        assertEquals("n02400", fs.readdir(fh, 2402).getFirst().name(), "a seek forward to a page seen");
        assertEquals(List.of(), fs.readdir(fh, 2502));
        fs.releasedir(fh);
    }

    /** An empty directory, and pages that show nothing (names POSIX cannot show) before the last, end as they should. */
    @Test
    void pagedDirectoriesThatAreEmptyOrHaveEmptyPagesEnd() throws Exception {
        List<List<ObjectInfo>> pages = new java.util.ArrayList<>(List.of(List.of(new ObjectInfo("..", false, 1, 1, "x")),
                List.of(), List.of(new ObjectInfo("a", false, 1, 1, "e"), new ObjectInfo("b", false, 1, 1, "e"))));
        Backend paged = new PagedBackend() {
            @Override
            public ListPage list(String dir, String continuation) {
                if (dir.equals("empty/")) {
                    return new ListPage(List.of(), null, false);
                }
                int i = continuation == null ? 0 : Integer.parseInt(continuation);
                return new ListPage(pages.get(i), i + 1 < pages.size() ? Integer.toString(i + 1) : null, true);
            }

        };
        FileSystem fs = fs(paged);
        long root = fs.lookup(FileSystem.ROOT_INO, "b0").attr().ino();
        long fh = fs.opendir(root);
        assertEquals(List.of(".", "..", "a", "b"), fs.readdir(fh, 0).stream().map(DirEntry::name).toList());
        assertEquals(List.of("b"), fs.readdir(fh, 3).stream().map(DirEntry::name).toList());
        assertEquals(List.of(), fs.readdir(fh, 4));
        long empty = fs.opendir(fs.lookup(root, "empty").attr().ino());
        assertEquals(List.of(".", ".."), fs.readdir(empty, 0).stream().map(DirEntry::name).toList());
        assertEquals(List.of(), fs.readdir(empty, 2));
    }
}
