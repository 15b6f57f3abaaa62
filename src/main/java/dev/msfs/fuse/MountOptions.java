package dev.msfs.fuse;

import java.nio.file.Path;

/**
 * How to mount.
 *
 * @param fsName        what {@code df} and /proc/mounts show as the source ({@code mountname})
 * @param threads       most libfuse worker threads (all kept alive once started)
 * @param maxRead       bytes of the largest read the kernel may send (it sends at most 1 MiB with libfuse 3.14)
 * @param maxBackground requests the kernel keeps in flight before it throttles readers
 * @param writable      some backend has readonly: false: mounted rw (else ro, and the kernel refuses
 *                      writes itself); a reload that adds the first writable backend needs a remount
 */
public record MountOptions(Path mountpoint, String fsName, boolean allowOther, int threads, long maxRead,
                           int maxBackground, boolean writable) {
    public static final long MAX_READ = 1 << 20;
    public static final int MAX_BACKGROUND = 128;

    /** The option string handed to libfuse: ro unless a backend is writable, kernel permission checks, our name. */
    String fuseOptions() {
        String name = fsName.replaceAll("[,\\\\=\\s]", "_");
        return "fsname=" + name + ",subtype=msfs," + (writable ? "rw" : "ro") + ",default_permissions" + (allowOther ? ",allow_other" : "");
    }
}
