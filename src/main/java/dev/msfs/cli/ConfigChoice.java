package dev.msfs.cli;

import dev.msfs.config.ConfigException;
import dev.msfs.config.ConfigLoader;
import dev.msfs.config.ConfigLocator;
import dev.msfs.config.MsfsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/** Which config a command uses: the built-in demo, a named file, or the MSC search order. */
final class ConfigChoice {
    static final String DEMO_RESOURCE = "demo.yaml";

    private ConfigChoice() {
    }

    static MsfsConfig load(boolean demo, String file) throws ConfigException {
        return load(demo, file, false);
    }

    /** @param strict refuse unknown keys instead of warning about them */
    static MsfsConfig load(boolean demo, String file, boolean strict) throws ConfigException {
        ConfigLoader loader = strict ? ConfigLoader.forProcess().strict() : ConfigLoader.forProcess();
        if (demo) {
            try (InputStream in = ConfigChoice.class.getResourceAsStream(DEMO_RESOURCE)) {
                return loader.parse("built-in demo config", new InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConfigException("cannot read the built-in demo config: " + e.getMessage());
            }
        }
        Optional<Path> path = ConfigLocator.locate(file, System.getenv());
        if (path.isEmpty()) {
            throw new ConfigException("no config file: give --config FILE, set MSC_CONFIG, or put one at "
                    + ConfigLocator.candidates(System.getenv()).getFirst() + " (or another place of the MSC search order)");
        }
        return loader.load(path.get());
    }
}
