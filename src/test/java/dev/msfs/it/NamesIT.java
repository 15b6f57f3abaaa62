package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.RamBackend;
import dev.msfs.config.BackendType;
import dev.msfs.config.TypeSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys that S3 allows and POSIX cannot show, through a real mount: the listing never fails, such
 * names are hidden, and a directory and an object of the same name resolve to the directory
 * (the documented rule), its contents reachable. The RAM backend keeps keys exactly as given, as
 * S3 does; S3Proxy cannot store most of these keys, since its HTTP layer normalises the paths.
 */
class NamesIT {
    private static final String LONGEST = "n".repeat(255);
    private static final String TOO_LONG = "L".repeat(256);

    @Test
    void namesPosixCannotShowAreHiddenAndADirectoryWinsOverAnObject(@TempDir Path tmp) throws Exception {
        TypeSettings.Ram settings = new TypeSettings.Ram(1000, 1000, 1 << 20);
        RamBackend ram = new RamBackend(settings);
        for (String key : List.of("a//b", "./x", "../y", ".", "..", "c/./d", "c/../e", TOO_LONG, "d/" + TOO_LONG + "/f",
                "twin", "twin/inner", "marker/", "m/n/", LONGEST, "ok.txt", "nul\0byte")) {
            ram.put(key, key.getBytes(StandardCharsets.UTF_8));
        }
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (InProcessMount m = new InProcessMount(InProcessMount.oneBackend("data", BackendType.RAM, settings, 1 << 20, 8, 0),
                List.of(ram), mnt)) {
            Path root = mnt.resolve("data");
            assertEquals(List.of("a/", "c/", "d/", "m/", "marker/", LONGEST, "ok.txt", "twin/"), names(root));
            assertEquals(List.of(), names(root.resolve("a"))); // "a//b": the empty name is hidden
            assertEquals(List.of(), names(root.resolve("c"))); // "c/./d", "c/../e"
            assertEquals(List.of(), names(root.resolve("d"))); // a 256-byte directory name
            assertEquals(List.of("n/"), names(root.resolve("m")));
            assertEquals(List.of(), names(root.resolve("marker")));
            assertTrue(Files.isDirectory(root.resolve("twin")));
            assertArrayEquals("twin/inner".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(root.resolve("twin/inner")));
            assertArrayEquals(LONGEST.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(root.resolve(LONGEST)));
            try (Stream<Path> all = Files.walk(mnt)) {
                assertEquals(12, all.count(), "a full walk sees exactly the showable entries");
            }
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
        }
    }
}
