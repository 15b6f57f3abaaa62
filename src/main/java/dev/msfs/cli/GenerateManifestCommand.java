package dev.msfs.cli;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.BackendFactory;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.ConfigException;
import dev.msfs.config.ManifestSettings;
import dev.msfs.config.MsfsConfig;
import dev.msfs.manifest.ManifestFormat;
import dev.msfs.manifest.ManifestGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "generate-manifest", mixinStandardHelpOptions = true,
        description = {"Lists a backend whole and writes its listing manifest in MSFS's format: one TSV per directory",
                "(_root.tsv for the top) and manifest_index.json, written last. A backend whose manifest_path holds",
                "one lists from it at mount, with no LIST or HEAD to the store."},
        footer = {"", "Exit status: 0 when the manifest is written, 1 if the store failed a listing (no index is",
                "written then), 2 for a config error."})
final class GenerateManifestCommand implements Callable<Integer> {
    @Option(names = "--backend", required = true, paramLabel = "DIR_NAME", description = "the backend's dir_name")
    String backend;

    @Option(names = "--output", paramLabel = "DIR", description = "where to write it; default: the backend's manifest_path,"
            + " else .msfs_manifest (as MSFS)")
    Path output;

    @Option(names = "--workers", paramLabel = "N", description = "listing threads; default: manifest_gen_workers (200)")
    Integer workers;

    @Option(names = "--temp-dir", paramLabel = "DIR", description = "accepted for MSFS's command line; msfs needs no temporary files")
    Path tempDir;

    @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "config file; default: as for mount")
    String file;

    @Override
    public Integer call() {
        Logging.setup("warn", "text");
        BackendConfig c;
        try {
            MsfsConfig config = ConfigChoice.load(false, file);
            c = config.backends().stream().filter(b -> b.dirName().equals(backend)).findFirst()
                    .orElseThrow(() -> new ConfigException(config.source() + ": no backend has dir_name \"" + backend + "\" (there are: "
                            + String.join(", ", config.backends().stream().map(BackendConfig::dirName).toList()) + ")"));
            Map<String, BackendConfig> byName = new java.util.HashMap<>();
            config.backends().forEach(b -> byName.put(b.dirName(), b));
            Path out = output != null ? output : c.manifest().map(ManifestSettings::path).orElse(Path.of(".msfs_manifest"));
            int n = workers != null ? workers : c.manifest().map(ManifestSettings::genWorkers).orElse(ManifestSettings.DEFAULT_GEN_WORKERS);
            if (n < 1) {
                throw new ConfigException("--workers must be at least 1");
            }
            int flatPages = c.manifest().map(ManifestSettings::flatDirConfirmationPages)
                    .orElse(ManifestSettings.DEFAULT_FLAT_DIR_CONFIRMATION_PAGES);
            List<ManifestSettings.FlatDirHint> hints = c.manifest().map(ManifestSettings::hints).orElse(List.of());
            try (Backend store = listing(c, byName)) {
                return generate(store, c, out, n, flatPages, hints);
            }
        } catch (ConfigException e) {
            System.err.println("msfs: error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
    }

    /** The backend that lists: for an AIStore with manifest_gen_backend, the one it names (as MSFS lists it). */
    private static Backend listing(BackendConfig c, Map<String, BackendConfig> byName) throws ConfigException {
        if (c.settings() instanceof dev.msfs.config.TypeSettings.AIStore a && !a.manifestGenBackend().isEmpty()) {
            return BackendFactory.create(byName.get(a.manifestGenBackend()));
        }
        return BackendFactory.create(c);
    }

    private static int generate(Backend store, BackendConfig c, Path out, int workers, int flatPages,
                                List<ManifestSettings.FlatDirHint> hints) {
        ManifestGenerator g = new ManifestGenerator(store, out, workers, flatPages, hints);
        java.io.Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        try {
            ManifestFormat.Index index = g.generate(c.bucketContainerName(), c.prefix(), p -> {
                if (terminal) {
                    System.err.printf("\r%,d objects (%,.0f/s), %,d directories, %,d queued   ", p.objects(),
                            p.objects() / Math.max(p.seconds(), 1e-3), p.directories(), p.queued());
                }
            });
            ManifestGenerator.Progress p = g.progress();
            System.out.printf("%smanifest of %s written to %s: %d objects (%d bytes), %d directories, in %.1f s (%.0f objects/s)%s%n",
                    terminal ? "\r" : "", c.dirName(), out, index.totalObjects(), g.bytes(), index.totalDirectories(), p.seconds(),
                    index.totalObjects() / Math.max(p.seconds(), 1e-3),
                    (p.splitDirectories() > 0 ? "; " + p.splitDirectories() + " flat director" + (p.splitDirectories() == 1 ? "y" : "ies")
                            + " listed in ranges at once" : "")
                    + (p.skippedNames() > 0 ? "; " + p.skippedNames() + " name(s) that cannot be entries left out" : ""));
            return Main.EXIT_OK;
        } catch (BackendException | IOException e) {
            System.err.println((terminal ? "\n" : "") + "msfs: error: the manifest of " + c.dirName() + " was not written: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
    }
}
