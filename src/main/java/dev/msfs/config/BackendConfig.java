package dev.msfs.config;

/**
 * One entry of {@code backends}: mounted at {@code <mountpoint>/<dirName>}.
 *
 * @param prefix object-key prefix inside the bucket, "" or ending in '/'
 */
public record BackendConfig(String dirName, BackendType type, String bucketContainerName, String prefix,
                            boolean readonly, int uid, int gid, int dirPerm, int filePerm,
                            int directoryPageSize, int traceLevel, TypeSettings settings) {
}
