package dev.msfs.fs;

import dev.msfs.backend.ObjectInfo;

/**
 * One entry of an open directory's snapshot.
 *
 * @param nextOffset the readdir offset that continues after this entry
 * @param info       what the backend listed, or null for "." and ".."
 * @param ino        the inode number to show in a plain readdir (informational to the kernel)
 */
public record DirEntry(String name, boolean directory, long nextOffset, ObjectInfo info, long ino) {
}
