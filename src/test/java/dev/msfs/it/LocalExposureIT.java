package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a LOCAL mount lends to other local users (README, "Security"): msfs reads as root, but a
 * user reading through the mount gets no more than the source files' own modes give, and no file
 * reached by a symbolic link that leaves base_path. Checked as {@code nobody}, through setpriv,
 * with the backend presented as owned by root and as owned by nobody.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalExposureIT {
    private static final String NOBODY = "65534";
    private Path work;
    private Path mnt;
    private MsfsProcess msfs;

    @BeforeAll
    void mount() throws Exception {
        work = Files.createTempDirectory("msfs-exposure-it");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody must reach the mount
        Path source = Files.createDirectories(work.resolve("source"));
        Files.writeString(source.resolve("public.txt"), "public");
        Files.setPosixFilePermissions(Files.writeString(source.resolve("secret.txt"), "root only"),
                PosixFilePermissions.fromString("rw-------"));
        Path hidden = Files.createDirectories(source.resolve("private"));
        Files.writeString(hidden.resolve("inner.txt"), "behind a 0700 directory");
        Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(Files.createDirectories(work.resolve("outside")).resolve("open.txt"), "outside base_path");
        Files.createSymbolicLink(source.resolve("link-in"), Path.of("public.txt"));
        Files.createSymbolicLink(source.resolve("link-out"), work.resolve("outside/open.txt"));
        mnt = Files.createDirectories(work.resolve("mnt"));
        Path config = work.resolve("local.yaml");
        Files.writeString(config, """
                msfs_version: 1
                allow_other: true
                backends:
                  - dir_name: as-root
                    backend_type: LOCAL
                    LOCAL:
                      base_path: %1$s
                  - dir_name: as-nobody
                    backend_type: LOCAL
                    uid: %2$s
                    gid: %2$s
                    LOCAL:
                      base_path: %1$s
                """.formatted(source, NOBODY));
        msfs = MsfsProcess.mount(mnt, "--config", config.toString());
    }

    @AfterAll
    void unmount() throws Exception {
        try (MsfsProcess mounted = msfs) {
            // closing it unmounts (null, and skipped, when the mount failed)
        } finally {
            TestTrees.delete(work);
        }
    }

    @Test
    void nobodyReadsOnlyWhatTheSourceLetsEveryoneRead() throws Exception {
        for (String volume : List.of("as-root", "as-nobody")) {
            Path v = mnt.resolve(volume);
            assertEquals(new Result(0, "public"), asNobody("cat", v.resolve("public.txt").toString()), volume);
            assertEquals(new Result(0, "public"), asNobody("cat", v.resolve("link-in").toString()), volume);
            assertDenied(asNobody("cat", v.resolve("secret.txt").toString()), volume + "/secret.txt");
            assertDenied(asNobody("ls", v.resolve("private").toString()), volume + "/private");
            assertDenied(asNobody("cat", v.resolve("private/inner.txt").toString()), volume + "/private/inner.txt");
            Result out = asNobody("cat", v.resolve("link-out").toString());
            assertTrue(out.status != 0 && out.output.contains("No such file"), volume + "/link-out: " + out);
        }
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mnt.resolve("as-root/secret.txt"))));
        assertEquals("---------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mnt.resolve("as-nobody/secret.txt"))),
                "presented as nobody's, a root-only file keeps no owner bits");
    }

    @Test
    void rootReadsRootsFilesButNoLinkLeavesBasePath() throws Exception {
        assertEquals("root only", Files.readString(mnt.resolve("as-root/secret.txt")));
        assertEquals("behind a 0700 directory", Files.readString(mnt.resolve("as-root/private/inner.txt")));
        assertTrue(Files.notExists(mnt.resolve("as-root/link-out")));
        try (var names = Files.list(mnt.resolve("as-root"))) {
            assertEquals(List.of("link-in", "private", "public.txt", "secret.txt"),
                    names.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(msfs.log().contains("hiding link-out"), msfs.log());
    }

    private static void assertDenied(Result r, String what) {
        assertTrue(r.status != 0 && r.output.contains("Permission denied"), what + ": " + r);
    }

    record Result(int status, String output) {
    }

    private static Result asNobody(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    }
}
