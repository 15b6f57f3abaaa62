package dev.msfs.fs;

import dev.msfs.backend.ObjectInfo;

/**
 * A node the kernel knows by number. Identity (number, volume, path, kind) is final; what the
 * backend last said about it is replaced as a whole through volatile fields, so readers never see
 * half an update and need no lock.
 */
final class Inode {
    /** What the backend said and when (System.nanoTime). */
    record Known(ObjectInfo info, long atNanos) {
    }

    final long ino;
    final Volume volume;    // null for the FUSE root
    final String path;      // relative to the volume's root: "" for the root itself, else "a/b"
    final boolean directory;
    final boolean pinned;   // root and volume roots live as long as the mount
    volatile Known known;
    volatile DirListing listing; // directories only; null until first listed
    // directories only: System.nanoTime() before which a lookup does not try a one-page listing;
    // starts at creation time, not 0, since nanoTime's origin is arbitrary and may be negative
    volatile long listsInPagesUntil = System.nanoTime();
    long lookups;           // the kernel's lookup count; guarded by InodeTable's lock
    final KernelPages pages = new KernelPages(); // files only: what the kernel's page cache may hold

    Inode(long ino, Volume volume, String path, boolean directory, boolean pinned, Known known) {
        this.ino = ino;
        this.volume = volume;
        this.path = path;
        this.directory = directory;
        this.pinned = pinned;
        this.known = known;
    }

    /** The path of a child, as the backend spells it. */
    String childPath(String name) {
        return path.isEmpty() ? name : path + "/" + name;
    }

    /** This directory's path in the backend's directory form ("" or ending in '/'). */
    String dirPath() {
        return path.isEmpty() ? "" : path + "/";
    }
}
