package dev.msfs.config;

/**
 * One entry of {@code backends}: mounted at {@code <mountpoint>/<dirName>}.
 *
 * @param prefix   object-key prefix inside the bucket, "" or ending in '/'
 * @param manifest where listings come from instead of the store, if anywhere
 * @param uploads  how files written to it are stored (writable backends)
 */
public record BackendConfig(String dirName, BackendType type, String bucketContainerName, String prefix,
                            boolean readonly, int uid, int gid, int dirPerm, int filePerm,
                            int directoryPageSize, int traceLevel, TypeSettings settings,
                            java.util.Optional<ManifestSettings> manifest, UploadSettings uploads) {
    /** A backend whose listings come from its store. */
    public BackendConfig(String dirName, BackendType type, String bucketContainerName, String prefix, boolean readonly, int uid,
                         int gid, int dirPerm, int filePerm, int directoryPageSize, int traceLevel, TypeSettings settings) {
        this(dirName, type, bucketContainerName, prefix, readonly, uid, gid, dirPerm, filePerm, directoryPageSize, traceLevel,
                settings, java.util.Optional.empty(), UploadSettings.defaults(ConfigLoader.DEFAULT_CACHE_LINE_SIZE));
    }
}
