package dev.msfs.config;

import java.nio.file.Path;

/**
 * MSFS's {@code manifest_path} and {@code manifest_gen_workers}: the folder of a backend's listing
 * manifest, and how many threads list the store when it has to be generated.
 */
public record ManifestSettings(Path path, int genWorkers) {
    /** MSFS's default. */
    public static final int DEFAULT_GEN_WORKERS = 200;
}
