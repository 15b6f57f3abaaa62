package dev.msfs.fuse;

import dev.msfs.fs.Attr;
import dev.msfs.fs.Entry;
import dev.msfs.fs.StatFs;
import dev.msfs.fuse.ffi.fuse_entry_param;
import dev.msfs.fuse.ffi.stat;
import dev.msfs.fuse.ffi.statvfs;
import dev.msfs.fuse.ffi.timespec;
import java.lang.foreign.MemorySegment;

/** Fills the C structs replies carry from the file system's Java records. */
final class Structs {
    private static final int ST_RDONLY = 1;

    private Structs() {
    }

    static void fillStat(MemorySegment st, Attr a) {
        st.fill((byte) 0);
        stat.st_ino(st, a.ino());
        stat.st_mode(st, a.mode());
        stat.st_nlink(st, a.nlink());
        stat.st_uid(st, a.uid());
        stat.st_gid(st, a.gid());
        stat.st_size(st, a.size());
        stat.st_blksize(st, 4096);
        stat.st_blocks(st, (a.size() + 511) / 512);
        long sec = Math.floorDiv(a.mtimeMillis(), 1000);
        long nsec = Math.floorMod(a.mtimeMillis(), 1000) * 1_000_000L;
        for (MemorySegment ts : new MemorySegment[] {stat.st_atim(st), stat.st_mtim(st), stat.st_ctim(st)}) {
            timespec.tv_sec(ts, sec);
            timespec.tv_nsec(ts, nsec);
        }
    }

    /** Only what readdir uses: the inode number and the type bits of the mode. */
    static void fillDirentStat(MemorySegment st, long ino, boolean directory) {
        st.fill((byte) 0);
        stat.st_ino(st, ino);
        stat.st_mode(st, directory ? Attr.S_IFDIR : Attr.S_IFREG);
    }

    /** An entry; a negative one (inode 0) makes the kernel remember for its TTL that the name does not exist. */
    static void fillEntry(MemorySegment e, Entry entry) {
        e.fill((byte) 0);
        fuse_entry_param.entry_timeout(e, entry.ttlSeconds());
        if (!entry.negative()) {
            fuse_entry_param.ino(e, entry.attr().ino());
            fillStat(fuse_entry_param.attr(e), entry.attr());
            fuse_entry_param.attr_timeout(e, entry.ttlSeconds());
        }
    }

    static void fillStatvfs(MemorySegment v, StatFs s) {
        v.fill((byte) 0);
        statvfs.f_bsize(v, s.blockSize());
        statvfs.f_frsize(v, s.blockSize());
        statvfs.f_blocks(v, s.blocks());
        statvfs.f_files(v, s.files());
        statvfs.f_namemax(v, s.nameMax());
        statvfs.f_flag(v, ST_RDONLY);
    }
}
