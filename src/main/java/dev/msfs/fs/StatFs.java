package dev.msfs.fs;

/** What statfs reports: a read-only file system with no free space and the inodes held now. */
public record StatFs(long blockSize, long blocks, long files, int nameMax) {
}
