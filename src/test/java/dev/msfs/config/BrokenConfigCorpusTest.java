package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.TestSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file in src/test/resources/broken-configs must be refused, with a message that names the
 * file and a line and contains the text its first line promises ({@code # expect: …}).
 */
class BrokenConfigCorpusTest {
    private static final Path CORPUS = Path.of("src/test/resources/broken-configs");

    @TestFactory
    Stream<DynamicTest> everyBrokenConfigIsRefusedWithItsMessage() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 40, "the corpus has only " + files.size() + " configs");
        ConfigLoader loader = new ConfigLoader(Map.of("HOME", "/home/u"), 1000, 1000).strict(); // unknown keys refused
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String expect = Files.readAllLines(f).getFirst().replaceFirst("^# expect: ", "");
            String message = assertThrows(ConfigException.class, () -> loader.load(f)).getMessage();
            assertTrue(message.startsWith(f + ":"), message);
            assertTrue(message.contains(expect), "expected \"" + expect + "\" in: " + message);
            assertFalse(message.contains("\n"), message);
            assertFalse(message.contains(TestSecrets.CONFIG_ALIAS), "a parser message quoted a secret: " + message);
        }));
    }
}
