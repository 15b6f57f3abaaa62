package dev.msfs.fs;

/** The attributes the kernel sees for an inode (a Java view of struct stat's useful part). */
public record Attr(long ino, int mode, int nlink, int uid, int gid, long size, long mtimeMillis) {
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;

    public boolean isDirectory() {
        return (mode & 0170000) == S_IFDIR;
    }
}
