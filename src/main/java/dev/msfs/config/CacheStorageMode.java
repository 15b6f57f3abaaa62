package dev.msfs.config;

import java.util.Arrays;
import java.util.Optional;

/** MSFS's {@code cache_storage}: where cached bytes live. */
public enum CacheStorageMode {
    RAM("ram"), MAPPED_FILE("mapped-file"), PER_INODE_FILE("per-inode-file");

    private final String key;

    CacheStorageMode(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    static Optional<CacheStorageMode> of(String key) {
        return Arrays.stream(values()).filter(m -> m.key.equals(key)).findFirst();
    }
}
