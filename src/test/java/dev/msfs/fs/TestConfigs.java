package dev.msfs.fs;

import dev.msfs.config.BackendConfig;
import dev.msfs.config.BackendType;
import dev.msfs.config.MsfsConfig;
import dev.msfs.config.TypeSettings;
import java.util.Arrays;
import java.util.List;

/** Configs for tests that build a {@link FileSystem} without a YAML file. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** One RAM backend per name (uid 7, gid 8, dirs 0555, files 0444), 64 KiB cache lines, a 60 s TTL. */
    public static MsfsConfig ram(String... dirNames) {
        return ram(60_000, dirNames);
    }

    /** As {@link #ram(String...)}, with entries and attributes kept {@code ttlMillis}. */
    public static MsfsConfig ram(long ttlMillis, String... dirNames) {
        List<BackendConfig> backends = Arrays.stream(dirNames)
                .map(n -> new BackendConfig(n, BackendType.RAM, "", "", true, 7, 8, 0555, 0444, 0, 0,
                        new TypeSettings.Ram(3, 1000, 1 << 20)))
                .toList();
        return MsfsConfig.builder("test").owner(0, 0).dirPerm(0755).allowOther(false).entryAttrTtlMillis(ttlMillis)
                .cacheStorage(dev.msfs.config.CacheStorageMode.RAM, java.nio.file.Path.of("/nonexistent"))
                .fuseWorkers(4).cache(64 << 10, 8, 2).backends(backends).build();
    }
}
