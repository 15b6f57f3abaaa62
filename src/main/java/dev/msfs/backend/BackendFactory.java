package dev.msfs.backend;

import dev.msfs.config.BackendConfig;
import dev.msfs.config.ConfigException;
import dev.msfs.config.TypeSettings;
import java.nio.file.Files;

/** Builds the backend a config entry describes, checking what can only be checked on this machine. */
public final class BackendFactory {
    private BackendFactory() {
    }

    /**
     * All backends of a config, in order; an AIStore backend with {@code manifest_gen_backend}
     * lists through the backend it names (validation made sure it exists and is not AIStore).
     */
    public static java.util.List<Backend> createAll(java.util.List<BackendConfig> configs) throws ConfigException {
        java.util.Map<String, Backend> byName = new java.util.LinkedHashMap<>();
        try {
            for (BackendConfig c : configs) {
                byName.put(c.dirName(), create(c));
            }
        } catch (ConfigException e) {
            byName.values().forEach(Backend::close);
            throw e;
        }
        java.util.List<Backend> out = new java.util.ArrayList<>();
        for (BackendConfig c : configs) {
            out.add(routed(c, byName.get(c.dirName()), byName::get));
        }
        return out;
    }

    /** {@code backend} itself, or, for AIStore with manifest_gen_backend, reads from it and lists through the named one. */
    public static Backend routed(BackendConfig c, Backend backend, java.util.function.Function<String, Backend> byName) {
        if (c.settings() instanceof TypeSettings.AIStore a && !a.manifestGenBackend().isEmpty()) {
            Backend listing = byName.apply(a.manifestGenBackend());
            if (listing != null) {
                return new RoutedBackend(listing, backend);
            }
        }
        return backend;
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
                try {
                    yield new LocalBackend(l.basePath(), c.prefix(), c.directoryPageSize(), l.followSymlinksOutside());
                } catch (BackendException e) {
                    throw new ConfigException(where + ": " + e.getMessage());
                }
            }
            case TypeSettings.S3 s -> {
                try {
                    yield new dev.msfs.backend.s3.S3Backend(s, c.bucketContainerName(), c.prefix(), c.directoryPageSize());
                } catch (BackendException e) {
                    throw new ConfigException(where + ": " + e.getMessage());
                }
            }
            case TypeSettings.AIStore a when a.endpoint().isEmpty() ->
                    throw new ConfigException(where + ": no AIStore endpoint: set AIStore.endpoint or AIS_ENDPOINT");
            case TypeSettings.AIStore a -> new dev.msfs.backend.aistore.AIStoreBackend(a, c.bucketContainerName(), c.prefix(),
                    c.directoryPageSize());
            case TypeSettings.Gcs g -> {
                try {
                    yield new dev.msfs.backend.gcs.GcsBackend(g, c.bucketContainerName(), c.prefix(), c.directoryPageSize(),
                            dev.msfs.backend.gcs.GcsAuth.of(g.apiKey()));
                } catch (BackendException e) {
                    throw new ConfigException(where + ": GCS credentials: " + e.getMessage());
                }
            }
        };
    }
}
