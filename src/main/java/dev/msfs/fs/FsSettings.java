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
 * @param spoolParent    the folder (cache_dir_path) below which the mount makes its private spool folder, where
 *                       files being written keep their bytes until committed
 * @param writeDeferralMaxBytes bytes written and not yet in the store, across every writer (0: no limit)
 */
public record FsSettings(long entryTtlMillis, boolean directIo, boolean kernelCache, int rootUid, int rootGid, int rootDirPerm,
                         java.nio.file.Path spoolParent, long writeDeferralMaxBytes) {
    public static FsSettings of(MsfsConfig c) {
        return new FsSettings(c.entryAttrTtlMillis(), c.directIo(), c.kernelCache(), c.uid(), c.gid(), c.dirPerm(),
                c.cacheDirPath(), c.writeDeferralMaxBytes());
    }
}
