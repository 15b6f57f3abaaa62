package dev.msfs.config;

import java.util.List;

/**
 * A whole, validated config: the global keys and the backends.
 *
 * @param entryAttrTtlMillis how long the kernel may cache entries and attributes (and we cache listings)
 * @param fuseWorkers        most libfuse worker threads; the loop starts more up to this as requests block
 * @param acceptedNotUsed    key paths present in the file that this build accepts but does not act on
 */
public record MsfsConfig(String source, String mountname, String mountpoint, int uid, int gid, int dirPerm,
                         boolean allowOther, long entryAttrTtlMillis, int fuseWorkers,
                         List<BackendConfig> backends, List<String> acceptedNotUsed) {
}
