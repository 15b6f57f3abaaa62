package dev.msfs.config;

import java.util.List;

/**
 * A whole, validated config: the global keys and the backends.
 *
 * @param entryAttrTtlMillis how long the kernel may cache entries and attributes (and we cache listings)
 * @param fuseWorkers        most libfuse worker threads; the loop starts more up to this as requests block
 * @param cacheLineSize      bytes per cache line: the unit of fetching and of residency
 * @param cacheLines         lines in the cache arena (its size is cacheLines × cacheLineSize)
 * @param cacheLinesToPrefetch most lines a sequential reader has fetched ahead of it
 * @param directIo           open files with direct_io: every read reaches msfs (no kernel page cache, no mmap)
 * @param processMemoryLimit bytes the cache arena may not exceed (0: no limit)
 * @param autoSighupSeconds  re-read the config this often when it changed (0: only on SIGHUP)
 * @param endpoint           http://host:port of the metrics and health service, or "" for none
 * @param acceptedNotUsed    key paths present in the file that this build accepts but does not act on
 */
public record MsfsConfig(String source, String mountname, String mountpoint, int uid, int gid, int dirPerm,
                         boolean allowOther, long entryAttrTtlMillis, int fuseWorkers, long cacheLineSize,
                         int cacheLines, int cacheLinesToPrefetch, boolean directIo, long processMemoryLimit,
                         long autoSighupSeconds, String endpoint,
                         List<BackendConfig> backends, List<String> acceptedNotUsed) {
}
