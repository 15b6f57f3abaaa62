package dev.msfs.config;

import java.nio.file.Path;

/**
 * MSFS's {@code manifest_path}, {@code manifest_gen_workers} and {@code flat_dir_confirmation_pages}:
 * the folder of a backend's listing manifest, how many threads list the store when it has to be
 * generated, and after how many full pages without a subdirectory a directory is listed in ranges.
 */
public record ManifestSettings(Path path, int genWorkers, int flatDirConfirmationPages, java.util.List<FlatDirHint> hints) {
    /** MSFS's defaults. */
    public static final int DEFAULT_GEN_WORKERS = 200;
    public static final int DEFAULT_FLAT_DIR_CONFIRMATION_PAGES = 5;
    public static final String DEFAULT_KEY_PREFIX_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz";

    public ManifestSettings(Path path, int genWorkers, int flatDirConfirmationPages) {
        this(path, genWorkers, flatDirConfirmationPages, java.util.List.of());
    }

    /**
     * MSFS's {@code flat_dir_hints} entry: the directory {@code path} (relative to the prefix,
     * ending in '/') is listed at once in ranges, one per name prefix of {@code splitDepth}
     * characters drawn from {@code keyPrefixChars}.
     */
    public record FlatDirHint(String path, String keyPrefixChars, int splitDepth) {
        /** The name prefixes, in the store's order. */
        public java.util.List<String> prefixes() {
            String chars = keyPrefixChars.chars().distinct().sorted()
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of(""));
            for (int d = 0; d < splitDepth; d++) {
                java.util.List<String> next = new java.util.ArrayList<>();
                for (String p : out) {
                    for (char c : chars.toCharArray()) {
                        next.add(p + c);
                    }
                }
                out = next;
            }
            return out;
        }
    }
}
