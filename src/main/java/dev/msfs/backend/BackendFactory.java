package dev.msfs.backend;

import dev.msfs.config.BackendConfig;
import dev.msfs.config.ConfigException;
import dev.msfs.config.TypeSettings;
import java.nio.file.Files;

/** Builds the backend a config entry describes, checking what can only be checked on this machine. */
public final class BackendFactory {
    private BackendFactory() {
    }

    public static Backend create(BackendConfig c) throws ConfigException {
        String where = "backend \"" + c.dirName() + "\"";
        return switch (c.settings()) {
            case TypeSettings.Pseudo p -> new PseudoBackend(p);
            case TypeSettings.Ram r -> new RamBackend(r);
            case TypeSettings.Local l -> {
                if (!Files.isDirectory(l.basePath())) {
                    throw new ConfigException(where + ": LOCAL.base_path " + l.basePath() + " is not a directory");
                }
                yield new LocalBackend(l.basePath(), c.prefix(), c.directoryPageSize());
            }
            case TypeSettings.S3 s -> {
                try {
                    yield new dev.msfs.backend.s3.S3Backend(s, c.bucketContainerName(), c.prefix(), c.directoryPageSize());
                } catch (BackendException e) {
                    throw new ConfigException(where + ": " + e.getMessage());
                }
            }
            case TypeSettings.AIStore a -> throw new ConfigException(where + ": backend_type AIStore is not available in this"
                    + " version of msfs yet (its settings are valid)");
            case TypeSettings.Gcs g -> throw new ConfigException(where + ": backend_type GCS is not supported by msfs"
                    + " (its settings are valid)");
        };
    }
}
