package dev.msfs.cache;

import java.nio.file.Path;

/** Where the cache's lines live (MSFS's {@code cache_storage}). */
public sealed interface CacheStorage {
    /** Process memory ({@code ram}): counted as msfs's own, lost at exit. */
    record Memory() implements CacheStorage {
    }

    /** One sparse file in a folder of its own below {@code parent}, mapped shared ({@code mapped-file}). */
    record MappedFile(Path parent) implements CacheStorage {
    }

    /** A sparse file per object version in a folder of its own below {@code parent} ({@code per-inode-file}). */
    record PerObjectFile(Path parent) implements CacheStorage {
    }
}
