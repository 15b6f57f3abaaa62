package dev.msfs.fs;

import dev.msfs.config.MsfsConfig;

/**
 * What the file system itself needs of the config.
 *
 * @param entryTtlMillis how long the kernel may keep entries, attributes and negative entries, and
 *                       msfs its listings
 * @param directIo       open files with direct_io (no kernel page cache)
 * @param kernelCache    opens keep the kernel's pages of an unchanged version (keep_cache)
 * @param rootUid        owner of the mount's root directory (each backend's own come from its config)
 * @param spoolDir       where files being written keep their bytes until committed (cache_dir_path/msfs-writes)
 */
public record FsSettings(long entryTtlMillis, boolean directIo, boolean kernelCache, int rootUid, int rootGid, int rootDirPerm,
                         java.nio.file.Path spoolDir) {
    public static FsSettings of(MsfsConfig c) {
        return new FsSettings(c.entryAttrTtlMillis(), c.directIo(), c.kernelCache(), c.uid(), c.gid(), c.dirPerm(),
                c.cacheDirPath().resolve("msfs-writes"));
    }
}
