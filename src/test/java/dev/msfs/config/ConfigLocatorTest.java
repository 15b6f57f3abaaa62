package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLocatorTest {
    @Test
    void explicitThenEnvironmentThenSearchOrder(@TempDir Path home) throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString(), "XDG_CONFIG_DIRS", home.resolve("none").toString());
        assertEquals(Optional.of(Path.of("/x.yaml")), ConfigLocator.locate("/x.yaml", env));
        assertEquals(Optional.of(Path.of("/m.yaml")), ConfigLocator.locate(null, Map.of("MSC_CONFIG", "/m.yaml")));
        Path second = home.resolve(".config/msc/config.json");
        Files.createDirectories(second.getParent());
        Files.writeString(second, "{}");
        assertEquals(Optional.of(second), ConfigLocator.locate(null, env));
        Path first = home.resolve(".msc_config.yml");
        Files.writeString(first, "{}");
        assertEquals(Optional.of(first), ConfigLocator.locate(null, env));
    }
}
