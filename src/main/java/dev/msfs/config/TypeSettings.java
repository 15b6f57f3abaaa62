package dev.msfs.config;

import java.nio.file.Path;

/** The settings section that belongs to a backend's {@code backend_type}. */
public sealed interface TypeSettings {

    /** Synthetic read-only tree with deterministic content (see backend.PseudoBackend). */
    record Pseudo(String dirNameFormat, String fileNameFormat, long dirStartingNumber, long fileStartingNumber,
                  long fileSize, long[] filesAtDepth, long[] subdirectoriesAtDepth, int maxListPageSize,
                  long minLatencyListMillis, long minLatencyStatMillis, long minLatencyReadMillis)
            implements TypeSettings {
    }

    /** In-memory objects (filled by tests through the Java API). */
    record Ram(int maxListPageSize, long maxTotalObjects, long maxTotalObjectSpace) implements TypeSettings {
    }

    /** A directory on disk presented read-only. */
    record Local(Path basePath) implements TypeSettings {
    }

    /** Types whose settings this build accepts but whose backend is not implemented yet. */
    record Unsupported(BackendType type) implements TypeSettings {
    }
}
