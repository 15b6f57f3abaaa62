package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel-facing correctness, checked by a C program (posix_checks.c) through a real mount:
 * telldir/seekdir stability over 5,000 entries, stat fields, EROFS for write opens, zero-length
 * reads and reads at, past and far past EOF (2^63-11), O_DIRECT reads, and ".." of the root.
 */
class PosixChecksIT {
    @Test
    void theKernelSeesAProperReadOnlyFileSystem(@TempDir Path dir) throws Exception {
        Path exe = dir.resolve("posix_checks");
        Process cc = new ProcessBuilder("gcc", "-O1", "-o", exe.toString(), "src/test/resources/posix/posix_checks.c")
                .redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes());
        assertEquals(0, cc.waitFor(), ccOut);
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nbackends:\n"
                + "  - {dir_name: p, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 5000, file_size: 100003, max_list_page_size: 333}}\n");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            Process p = new ProcessBuilder(List.of(exe.toString(), mnt.resolve("p").toString(),
                    mnt.resolve("p/file_00000007").toString(), "100003")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out + "\n" + msfs.log());
            assertTrue(out.contains("ok readdir-seekdir-telldir 5002 entries") && out.contains("ok dotdot"), out);
        }
    }
}
