package dev.msfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.RamBackend;
import dev.msfs.config.TypeSettings;
import dev.msfs.fs.FileSystem;
import dev.msfs.fs.TestConfigs;
import dev.msfs.fuse.ffi.FuseLowLevel;
import dev.msfs.fuse.ffi.fuse_entry_param;
import dev.msfs.fuse.ffi.fuse_file_info;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter without a mount: requests go straight to its upcall methods and its replies to a
 * recorder, which can also refuse them as libfuse does when the request was interrupted.
 */
class FuseAdapterTest {
    private static final int ENOENT = 2;

    /** Records every reply; {@code failing} makes the sending ones return -ENOENT (not delivered). */
    static final class RecordingReplies implements Replies {
        final List<String> sent = new ArrayList<>();
        final List<String> direntries = new ArrayList<>();
        boolean failing;
        long entryIno = -1;
        /** Runs when a readdirplus entry is added to a reply (as another thread's request might, meanwhile). */
        Runnable afterAdd = () -> { };

        private int send(String what) {
            sent.add(what);
            return failing ? -ENOENT : 0;
        }

        @Override
        public int entry(MemorySegment req, MemorySegment e) {
            entryIno = fuse_entry_param.ino(e);
            return send("entry");
        }

        @Override
        public int attr(MemorySegment req, MemorySegment stat, double timeoutSeconds) {
            return send("attr");
        }

        @Override
        public int open(MemorySegment req, MemorySegment fileInfo) {
            return send("open");
        }

        @Override
        public int create(MemorySegment req, MemorySegment e, MemorySegment fileInfo) {
            entryIno = fuse_entry_param.ino(e);
            return send("create");
        }

        @Override
        public int write(MemorySegment req, long count) {
            return send("write " + count);
        }

        @Override
        public int buf(MemorySegment req, MemorySegment buf, long size) {
            return send("buf " + size);
        }

        @Override
        public int err(MemorySegment req, int errno) {
            return send("err " + errno);
        }

        @Override
        public void none(MemorySegment req) {
            sent.add("none");
        }

        @Override
        public int statfs(MemorySegment req, MemorySegment statvfs) {
            return send("statfs");
        }

        @Override
        public int xattr(MemorySegment req, long size) {
            return send("xattr");
        }

        @Override
        public long addDirentry(MemorySegment req, MemorySegment buf, long bufSize, MemorySegment name, MemorySegment stat,
                                long nextOffset) {
            return add(buf, bufSize, name, 24);
        }

        @Override
        public long addDirentryPlus(MemorySegment req, MemorySegment buf, long bufSize, MemorySegment name,
                                    MemorySegment entryParam, long nextOffset) {
            return add(buf, bufSize, name, 152);
        }

        /** libfuse's sizes: a header, the name, padded to 8 bytes; only an entry that fits is added. */
        private long add(MemorySegment buf, long bufSize, MemorySegment name, int header) {
            String n = name.getString(0);
            long need = (header + n.length() + 7) & ~7L;
            if (!buf.equals(MemorySegment.NULL) && need <= bufSize) {
                direntries.add(n);
                afterAdd.run();
            }
            return need;
        }
    }

    private final Arena arena = Arena.ofConfined();
    private final RamBackend ram = new RamBackend(new TypeSettings.Ram(3, 1000, 1 << 20));
    private final FileSystem fs;
    private final RecordingReplies replies = new RecordingReplies();
    private final FuseAdapter adapter;
    private final MemorySegment req = MemorySegment.ofAddress(0x1000);

    FuseAdapterTest() throws java.io.IOException {
        for (String name : List.of("a", "b", "c", "d")) {
            ram.put("dir/" + name, new byte[] {1});
        }
        fs = FileSystem.of(TestConfigs.ram("v"), List.of(ram));
        adapter = new FuseAdapter(fs, new MountOptions(Path.of("/mnt"), "t", false, 1, MountOptions.MAX_READ,
                MountOptions.MAX_BACKGROUND, false), OpObserver.NONE, replies);
    }

    @AfterEach
    void close() {
        fs.close();
        arena.close();
    }

    private long lookup(long parent, String name) {
        adapter.lookup(req, parent, arena.allocateFrom(name));
        return replies.entryIno;
    }

    private MemorySegment openDir(long ino) throws Exception {
        MemorySegment fi = arena.allocate(fuse_file_info.layout());
        FileInfo.setHandle(fi, fs.opendir(ino));
        return fi;
    }

    @Test
    void aLookupIsCountedOnceItsReplyIsDeliveredAndForgottenWhenItIsNot() {
        long vol = lookup(FileSystem.ROOT_INO, "v");
        long dir = lookup(vol, "dir");
        int before = fs.inodeCount();
        replies.failing = true; // interrupted: the kernel never sees the entry, so it will never FORGET it
        lookup(dir, "a");
        assertEquals(before, fs.inodeCount(), "an undelivered entry left its inode behind");
        replies.failing = false;
        long a = lookup(dir, "a");
        assertTrue(a > 0);
        assertEquals(before + 1, fs.inodeCount());
        assertEquals(List.of("entry", "entry", "entry", "entry"), replies.sent, "one reply per request");
    }

    @Test
    void aMissingNameIsANegativeEntry() {
        long vol = lookup(FileSystem.ROOT_INO, "v");
        replies.sent.clear();
        assertEquals(0, lookup(vol, "missing"), "a negative entry has inode 0");
        assertEquals(List.of("entry"), replies.sent);
    }

    @Test
    void readdirplusStopsWhenTheBufferIsFullAndCountsOnlyWhatItSent() throws Exception {
        long dir = lookup(lookup(FileSystem.ROOT_INO, "v"), "dir");
        int before = fs.inodeCount();
        MemorySegment fi = openDir(dir);
        adapter.readdirplus(req, dir, 3 * 160, 0, fi); // room for ".", ".." and "a"
        assertEquals(List.of(".", "..", "a"), replies.direntries);
        assertEquals(before + 1, fs.inodeCount(), "only 'a' went into the reply");
        replies.direntries.clear();
        adapter.readdirplus(req, dir, 4096, 3, fi);
        assertEquals(List.of("b", "c", "d"), replies.direntries);
        assertEquals(before + 4, fs.inodeCount());
    }

    @Test
    void anUndeliveredReaddirplusForgetsEveryLookupItCounted() throws Exception {
        long dir = lookup(lookup(FileSystem.ROOT_INO, "v"), "dir");
        int before = fs.inodeCount();
        replies.failing = true;
        adapter.readdirplus(req, dir, 4096, 0, openDir(dir));
        assertEquals(List.of(".", "..", "a", "b", "c", "d"), replies.direntries);
        assertEquals(before, fs.inodeCount(), "an undelivered readdirplus left inodes behind");
    }

    @Test
    void readdirplusSendsWhatItGatheredWhenAnEntryFailsPartway() throws Exception {
        long dir = lookup(lookup(FileSystem.ROOT_INO, "v"), "dir");
        int before = fs.inodeCount();
        MemorySegment fi = openDir(dir);
        long fh = FileInfo.handle(fi);
        replies.afterAdd = () -> {
            if (replies.direntries.size() == 3) {
                fs.releasedir(fh); // a concurrent releasedir: the next entry fails with EBADF
            }
        };
        replies.sent.clear();
        adapter.readdirplus(req, dir, 4096, 0, fi);
        assertEquals(List.of(".", "..", "a"), replies.direntries);
        assertEquals(1, replies.sent.size());
        assertTrue(replies.sent.getFirst().startsWith("buf "), "the gathered entries were not sent: " + replies.sent);
        assertEquals(before + 1, fs.inodeCount(), "'a' was sent, so it stays counted");
    }

    @Test
    void opensThatWouldWriteCreateOrTruncateAreRefused() {
        long a = lookup(lookup(lookup(FileSystem.ROOT_INO, "v"), "dir"), "a");
        int[] refused = {FuseLowLevel.O_WRONLY(), FuseLowLevel.O_RDWR(), FuseLowLevel.O_RDONLY() | FuseLowLevel.O_TRUNC(),
                FuseLowLevel.O_RDONLY() | FuseLowLevel.O_CREAT()};
        for (int flags : refused) {
            MemorySegment fi = arena.allocate(fuse_file_info.layout());
            fuse_file_info.flags(fi, flags);
            replies.sent.clear();
            adapter.open(req, a, fi);
            assertEquals(List.of("err " + FuseLowLevel.EROFS()), replies.sent, "flags " + Integer.toOctalString(flags));
        }
        MemorySegment fi = arena.allocate(fuse_file_info.layout());
        fuse_file_info.flags(fi, FuseLowLevel.O_RDONLY());
        replies.sent.clear();
        adapter.open(req, a, fi);
        assertEquals(List.of("open"), replies.sent);
        assertEquals(0, FileInfo.bits(fi) & FileInfo.DIRECT_IO, "direct_io is off in this config");
    }
}
