package dev.msfs.config;

import java.nio.file.Path;

/**
 * MSFS's {@code manifest_path}, {@code manifest_gen_workers} and {@code flat_dir_confirmation_pages}:
 * the folder of a backend's listing manifest, how many threads list the store when it has to be
 * generated, and after how many full pages without a subdirectory a directory is listed in ranges.
 */
public record ManifestSettings(Path path, int genWorkers, int flatDirConfirmationPages) {
    /** MSFS's defaults. */
    public static final int DEFAULT_GEN_WORKERS = 200;
    public static final int DEFAULT_FLAT_DIR_CONFIRMATION_PAGES = 5;
}
