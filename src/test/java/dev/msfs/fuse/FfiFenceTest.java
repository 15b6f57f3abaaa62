package dev.msfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only {@code dev.msfs.fuse} may touch the generated bindings: everything else speaks Java types,
 * so a change of libfuse or jextract stays inside one package.
 */
class FfiFenceTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/msfs");

    @Test
    void noSourceOutsideTheFusePackageUsesTheGeneratedBindings() throws IOException {
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getParent().equals(SOURCES.resolve("fuse")) && !p.startsWith(SOURCES.resolve("fuse/ffi")))
                    .filter(p -> read(p).contains("dev.msfs.fuse.ffi"))
                    .toList();
        }
        assertEquals(List.of(), offenders, "fuse.ffi used outside dev.msfs.fuse");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
