package dev.msfs.config;

import java.util.List;

/**
 * A whole, validated config: the global keys and the backends. Built by {@link ConfigLoader}, or
 * in code through {@link #builder}, whose defaults are MSFS's.
 *
 * @param entryAttrTtlMillis how long the kernel may cache entries and attributes (and we cache listings)
 * @param fuseWorkers        most libfuse worker threads; the loop starts more up to this as requests block
 * @param cacheLineSize      bytes per cache line: the unit of fetching and of residency
 * @param cacheLines         lines in the cache arena (its size is cacheLines × cacheLineSize)
 * @param cacheLinesToPrefetch most lines a sequential reader has fetched ahead of it
 * @param directIo           open files with direct_io: every read reaches msfs (no kernel page cache, no mmap)
 * @param kernelCache        let the kernel's page cache keep a file's pages from one open to the next while its
 *                           version is unchanged (keep_cache), so re-reads never reach msfs
 * @param cacheStorage       where the cache arena lives (MSFS's cache_storage)
 * @param cacheDirPath       the folder below which a file-backed arena lives
 * @param processMemoryLimit bytes of memory msfs may use; an arena in memory may not exceed it (0: no limit)
 * @param writeDeferralMaxBytes bytes written to files and not yet in the store, across all of them; writers
 *                           wait for uploads beyond it (0: no limit)
 * @param autoSighupSeconds  re-read the config this often when it changed (0: only on SIGHUP)
 * @param endpoint           http://host:port of the metrics and health service, or "" for none
 * @param probeAtMount       send each backend one cheap request at mount, and say which store does not answer
 * @param telemetry          where and how to export MSC's OpenTelemetry metrics, if anywhere
 * @param acceptedNotUsed    key paths present in the file that this build accepts but does not act on
 * @param warnings           unknown keys, each with its file:line and the closest known key (see UnknownKeys)
 */
public record MsfsConfig(String source, String mountname, String mountpoint, int uid, int gid, int dirPerm,
                         boolean allowOther, long entryAttrTtlMillis, int fuseWorkers, long cacheLineSize,
                         int cacheLines, int cacheLinesToPrefetch, CacheStorageMode cacheStorage,
                         java.nio.file.Path cacheDirPath, boolean directIo, boolean kernelCache, long processMemoryLimit,
                         long writeDeferralMaxBytes, long autoSighupSeconds, String endpoint, boolean probeAtMount,
                         java.util.Optional<TelemetryConfig> telemetry,
                         List<BackendConfig> backends, List<String> acceptedNotUsed, List<String> warnings) {

    public static Builder builder(String source) {
        return new Builder(source);
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return builder(source).mountname(mountname).mountpoint(mountpoint).owner(uid, gid).dirPerm(dirPerm)
                .allowOther(allowOther).entryAttrTtlMillis(entryAttrTtlMillis).fuseWorkers(fuseWorkers)
                .cache(cacheLineSize, cacheLines, cacheLinesToPrefetch).cacheStorage(cacheStorage, cacheDirPath).directIo(directIo).kernelCache(kernelCache)
                .processMemoryLimit(processMemoryLimit).writeDeferralMaxBytes(writeDeferralMaxBytes).autoSighupSeconds(autoSighupSeconds).endpoint(endpoint).probeAtMount(probeAtMount)
                .telemetry(telemetry).backends(backends).acceptedNotUsed(acceptedNotUsed).warnings(warnings);
    }

    /** Named values instead of eighteen positional ones; unset values are MSFS's defaults. */
    public static final class Builder {
        private String source;
        private String mountname = "msfs";
        private String mountpoint = "/mnt";
        private int uid;
        private int gid;
        private int dirPerm = 0555;
        private boolean allowOther = true;
        private long entryAttrTtlMillis = ConfigLoader.DEFAULT_ENTRY_ATTR_TTL_MILLIS;
        private int fuseWorkers = 10;
        private long cacheLineSize = ConfigLoader.DEFAULT_CACHE_LINE_SIZE;
        private int cacheLines = ConfigLoader.DEFAULT_CACHE_LINES;
        private int cacheLinesToPrefetch = ConfigLoader.DEFAULT_CACHE_LINES_TO_PREFETCH;
        private CacheStorageMode cacheStorage = CacheStorageMode.MAPPED_FILE;
        private java.nio.file.Path cacheDirPath = ConfigLoader.DEFAULT_CACHE_DIR;
        private boolean directIo;
        private boolean kernelCache;
        private long processMemoryLimit;
        private long writeDeferralMaxBytes = ConfigLoader.DEFAULT_WRITE_DEFERRAL_MAX_BYTES;
        private long autoSighupSeconds;
        private String endpoint = "";
        private boolean probeAtMount = true;
        private java.util.Optional<TelemetryConfig> telemetry = java.util.Optional.empty();
        private List<BackendConfig> backends = List.of();
        private List<String> acceptedNotUsed = List.of();
        private List<String> warnings = List.of();

        private Builder(String source) {
            this.source = source;
        }

        public Builder source(String v) {
            source = v;
            return this;
        }

        public Builder mountname(String v) {
            mountname = v;
            return this;
        }

        public Builder mountpoint(String v) {
            mountpoint = v;
            return this;
        }

        /** Owner of the mount's root (and each backend's default owner). */
        public Builder owner(int uidValue, int gidValue) {
            uid = uidValue;
            gid = gidValue;
            return this;
        }

        public Builder dirPerm(int v) {
            dirPerm = v;
            return this;
        }

        public Builder allowOther(boolean v) {
            allowOther = v;
            return this;
        }

        public Builder entryAttrTtlMillis(long v) {
            entryAttrTtlMillis = v;
            return this;
        }

        public Builder fuseWorkers(int v) {
            fuseWorkers = v;
            return this;
        }

        /** The cache's geometry: line size in bytes, line count, and the most lines prefetched. */
        public Builder cache(long lineSize, int lines, int linesToPrefetch) {
            cacheLineSize = lineSize;
            cacheLines = lines;
            cacheLinesToPrefetch = linesToPrefetch;
            return this;
        }

        public Builder directIo(boolean v) {
            directIo = v;
            return this;
        }

        public Builder kernelCache(boolean v) {
            kernelCache = v;
            return this;
        }

        public Builder cacheStorage(CacheStorageMode mode, java.nio.file.Path dir) {
            cacheStorage = mode;
            cacheDirPath = dir;
            return this;
        }

        public Builder processMemoryLimit(long v) {
            processMemoryLimit = v;
            return this;
        }

        public Builder writeDeferralMaxBytes(long v) {
            writeDeferralMaxBytes = v;
            return this;
        }

        public Builder autoSighupSeconds(long v) {
            autoSighupSeconds = v;
            return this;
        }

        public Builder endpoint(String v) {
            endpoint = v;
            return this;
        }

        public Builder backends(List<BackendConfig> v) {
            backends = List.copyOf(v);
            return this;
        }

        public Builder telemetry(java.util.Optional<TelemetryConfig> v) {
            telemetry = v;
            return this;
        }

        public Builder probeAtMount(boolean v) {
            probeAtMount = v;
            return this;
        }

        public Builder warnings(List<String> v) {
            warnings = List.copyOf(v);
            return this;
        }

        public Builder acceptedNotUsed(List<String> v) {
            acceptedNotUsed = List.copyOf(v);
            return this;
        }

        public MsfsConfig build() {
            return new MsfsConfig(source, mountname, mountpoint, uid, gid, dirPerm, allowOther, entryAttrTtlMillis,
                    fuseWorkers, cacheLineSize, cacheLines, cacheLinesToPrefetch, cacheStorage, cacheDirPath, directIo, kernelCache,
                    processMemoryLimit, writeDeferralMaxBytes,
                    autoSighupSeconds, endpoint, probeAtMount, telemetry, backends, acceptedNotUsed, warnings);
        }
    }
}
