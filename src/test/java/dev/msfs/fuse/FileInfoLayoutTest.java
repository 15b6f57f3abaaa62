package dev.msfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.msfs.fuse.ffi.fuse_file_info;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jextract leaves fuse_file_info's bitfields as padding, so {@link FileInfo} hand-places them.
 * This compiles a C program against the real libfuse3 header and compares what C's compiler
 * lays out with what the helper writes.
 */
class FileInfoLayoutTest {
    private static final String PROGRAM = """
            #define FUSE_USE_VERSION 312
            #include <fuse_lowlevel.h>
            #include <stddef.h>
            #include <stdio.h>
            #include <string.h>
            static unsigned word(struct fuse_file_info *fi) { unsigned w; memcpy(&w, (char *)fi + 4, 4); return w; }
            #define BIT(field) do { struct fuse_file_info fi; memset(&fi, 0, sizeof fi); fi.field = 1; \\
                printf(#field " %u\\n", word(&fi)); } while (0)
            int main(void) {
                BIT(direct_io); BIT(keep_cache); BIT(nonseekable); BIT(cache_readdir);
                printf("fh %zu\\nsize %zu\\n", offsetof(struct fuse_file_info, fh), sizeof(struct fuse_file_info));
                return 0;
            }
            """;

    @Test
    void bitsAndOffsetsMatchTheCompiler(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("layout.c");
        Files.writeString(src, PROGRAM);
        Path exe = dir.resolve("layout");
        run(List.of("gcc", "-I/usr/include/fuse3", "-o", exe.toString(), src.toString()));
        Map<String, Long> c = new HashMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            String[] kv = line.trim().split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        assertEquals(c.get("direct_io"), (long) FileInfo.DIRECT_IO);
        assertEquals(c.get("keep_cache"), (long) FileInfo.KEEP_CACHE);
        assertEquals(c.get("nonseekable"), (long) FileInfo.NONSEEKABLE);
        assertEquals(c.get("cache_readdir"), (long) FileInfo.CACHE_READDIR);
        assertEquals(c.get("fh"), fuse_file_info.fh$offset());
        assertEquals(c.get("size"), fuse_file_info.sizeof());
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var fi = fuse_file_info.allocate(arena);
            fi.fill((byte) 0);
            FileInfo.setBits(fi, FileInfo.DIRECT_IO);
            FileInfo.setBits(fi, FileInfo.KEEP_CACHE);
            assertEquals(c.get("direct_io") | c.get("keep_cache"), (long) FileInfo.bits(fi));
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), command + " failed: " + out);
        return out;
    }
}
